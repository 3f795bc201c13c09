# case: Variable annotated with type
import torch
from typing import NamedTuple


class Out(NamedTuple):
    logits: torch.Tensor
    count: int


def root(x: torch.Tensor) -> torch.Tensor:
    o: Out = (x, x.size(0))
    return o.logits
