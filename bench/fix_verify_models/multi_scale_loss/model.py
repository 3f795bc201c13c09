import torch
from torch import nn


class MultiScale(nn.Module):
    def __init__(self, scales=(1, 2)):
        super().__init__()
        self.scales = list(scales)

    def forward(self, x: torch.Tensor, weight=0.5) -> torch.Tensor:
        total = x.new_zeros(())
        for s in self.scales:
            pooled = torch.nn.functional.avg_pool1d(x, s)
            total = total + pooled.mean() * weight
        return total
