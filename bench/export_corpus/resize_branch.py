import torch
import torch.nn.functional as F
from torch import nn


class Head(nn.Module):
    """Pools big feature maps first."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        x = self.conv(x)
        if x.size(-1) > 8:
            x = F.avg_pool2d(x, 2)
        return x.mean((-2, -1))
