import torch
from torch import nn
from helpers import masked_mean, scale_by


class Pooler(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        pooled = masked_mean(self.proj(x), mask)
        return scale_by(pooled)
