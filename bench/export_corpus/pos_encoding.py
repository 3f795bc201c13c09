import torch
from torch import nn


class Positional(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("table", torch.randn(64, 8))

    def forward(self, x):
        return x + self.table[: x.size(1)]
