import torch
from torch import nn
from rope import rotate


class Rotary(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.q = nn.Linear(dim, dim)
        self.cache = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return rotate(self.q(x))
