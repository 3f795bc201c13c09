import torch
from torch import nn


class Residual(nn.Module):
    def __init__(self, dim, drop=0.0):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.drop = drop

    def forward(self, x, gate=None):
        y = torch.relu(self.fc(x))
        if gate is not None:
            y = y * gate
        return x + y
