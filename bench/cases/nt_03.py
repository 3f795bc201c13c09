# case: Argument {name} not provided.
import torch
from typing import NamedTuple


class State(NamedTuple):
    h: torch.Tensor
    c: torch.Tensor
    step: int


def root(x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    s = State(h, x)
    return s.h + s.c
