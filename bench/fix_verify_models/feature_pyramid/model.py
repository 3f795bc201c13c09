from typing import List
import torch
from torch import nn
import torch.nn.functional as F


class FPN(nn.Module):
    def __init__(self, channels, out=8):
        super().__init__()
        self.lateral = nn.ModuleList([nn.Conv2d(c, out, 1) for c in channels])

    def forward(self, feats: List[torch.Tensor]) -> List[torch.Tensor]:
        outs = []
        prev = None
        for i, conv in enumerate(self.lateral):
            y = conv(feats[i])
            if prev is not None:
                y = y + F.interpolate(prev, size=(int(y.shape[2]), int(y.shape[3])))
            outs.append(y)
            prev = y
        return outs
