# case: object has no attribute or method
import torch
from typing import NamedTuple


class Box(NamedTuple):
    lo: torch.Tensor
    hi: torch.Tensor

    def extent(self) -> torch.Tensor:
        return self.hi - self.lo


def root(lo: torch.Tensor, hi: torch.Tensor) -> torch.Tensor:
    b = Box(lo, hi)
    return b.extent().sum()
