import torch
from torch import nn
from blocks import gelu_gate


class GatedMLP(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.up = nn.Linear(dim, hidden * 2)
        self.down = nn.Linear(hidden, dim)

    def forward(self, x, residual=None):
        a, b = self.up(x).chunk(2, -1)
        y = self.down(gelu_gate(a, b))
        if residual is not None:
            y = y + residual
        return y
