import torch
from torch import nn


def _safe_normalize(x):
    n = x.norm()
    if n > 0:
        return x / n
    return x


class Normalized(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)

    def forward(self, x):
        return _safe_normalize(self.fc(x))
