# case: Tried to set an attribute
import torch
from typing import NamedTuple


class Stats(NamedTuple):
    mean: torch.Tensor
    count: int


def root(x: torch.Tensor) -> torch.Tensor:
    s = Stats(x.mean(), x.numel())
    if s.count == 0:
        s.count = 1
    return s.mean / s.count
