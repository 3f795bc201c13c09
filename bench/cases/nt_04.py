# case: Keyword argument {name} unknown.
import torch
from typing import NamedTuple


class State(NamedTuple):
    hidden: torch.Tensor
    cell: torch.Tensor


def root(x: torch.Tensor) -> torch.Tensor:
    s = State(hidden=x, cell=x, steps=3)
    return s.hidden
