# case: Variable annotated with type
import torch
from typing import NamedTuple


class Config(NamedTuple):
    width: int
    scale: float


def root(x: torch.Tensor) -> torch.Tensor:
    cfg = Config(4, 0.5)
    ratio: float = cfg.width
    return x * ratio * cfg.scale
