# case: ok
import torch
from typing import Any, List, NamedTuple


class Point(NamedTuple):
    x: float
    y: float


def root(t: torch.Tensor, v: Any, p: Point) -> torch.Tensor:
    if torch.jit.isinstance(v, List[int]):
        t = t + len(v)
    if torch.jit.isinstance(v, str):
        t = t * 2
    if torch.jit.isinstance(p, Point):
        t = t + p.x
    return t
