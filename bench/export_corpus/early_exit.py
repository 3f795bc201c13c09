import torch
from torch import nn


class EarlyExit(nn.Module):
    """Skips the refinement when the residual is already small."""

    def __init__(self):
        super().__init__()
        self.refine = nn.Linear(8, 8)

    def forward(self, x):
        if x.abs().max() < 1e-3:
            return x
        return x + self.refine(x)
