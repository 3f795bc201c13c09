# case: Unknown type annotation
import torch
from typing import NamedTuple, Set


class Batch(NamedTuple):
    x: torch.Tensor
    seen: Set[int]


def root(b: Batch) -> torch.Tensor:
    return b.x * 2
