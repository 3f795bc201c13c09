import torch
from torch import nn


class PatchEmbed(nn.Module):
    def __init__(self, channels, dim, patch=2):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, patch, stride=patch)

    def forward(self, x):
        y = self.proj(x)
        b, c = int(y.shape[0]), int(y.shape[1])
        return y.flatten(2).transpose(1, 2).reshape(b, -1, c)
