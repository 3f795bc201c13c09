import torch
from torch import nn


class RunningScale(nn.Module):
    """Decays its scale on every call (Python float state)."""

    def __init__(self):
        super().__init__()
        self.scale = 1.0

    def forward(self, x):
        self.scale *= 0.5
        return x * self.scale
