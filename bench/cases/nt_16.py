# case: Return value was annotated as having type
import torch
from typing import NamedTuple


class Out(NamedTuple):
    logits: torch.Tensor
    loss: float


class Res(NamedTuple):
    logits: torch.Tensor
    loss: torch.Tensor


def root(x: torch.Tensor) -> Res:
    return Out(x, 0.0)
