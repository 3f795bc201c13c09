import torch
from torch import nn


class Flatten(nn.Module):
    """Flattens all but the batch dim, with the feature count computed as a Python int."""

    def forward(self, x):
        return x.reshape(x.size(0), int(x.size(1) * x.size(2)))
