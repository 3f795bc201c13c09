import torch
from torch import nn


class Normalized(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)

    def forward(self, x):
        y = self.fc(x)
        n = y.norm()
        return torch.where(n > 0, y / n, y)
