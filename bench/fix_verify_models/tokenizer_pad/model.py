from typing import List
import torch
from torch import nn


class Padder(nn.Module):
    def __init__(self, max_len=16):
        super().__init__()
        self.max_len = max_len

    def forward(self, lengths: List[int], pad_value=0) -> torch.Tensor:
        longest = max([l for l in lengths])
        out = torch.full((len(lengths), longest), pad_value, dtype=torch.long)
        for row, l in enumerate(lengths):
            out[row, :l] = 1
        return out
