# case: ok
import torch
from typing import NamedTuple


class Box(NamedTuple):
    lo: torch.Tensor
    hi: torch.Tensor

    def extent(self) -> torch.Tensor:
        return self.hi - self.lo


def extent(b: Box) -> torch.Tensor:
    return b.hi - b.lo


def root(lo: torch.Tensor, hi: torch.Tensor) -> torch.Tensor:
    b = Box(lo, hi)
    first, second = b
    return extent(b).sum() + b[0].sum() + first.mean() + second.mean()
