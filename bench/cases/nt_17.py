# case: ok
import torch
from typing import NamedTuple, Optional, Tuple


class Out(NamedTuple):
    logits: torch.Tensor
    count: int


class Result(NamedTuple):
    logits: torch.Tensor
    count: Optional[int]


def scores(x: torch.Tensor) -> Out:
    return Out(x.softmax(-1), x.size(0))


def root(x: torch.Tensor) -> Tuple[Result, Tuple[torch.Tensor, int]]:
    o = scores(x)
    plain: Tuple[torch.Tensor, int] = o
    r: Result = o
    return r, plain
