# case: Return value was annotated as having type
import torch
from typing import NamedTuple


class Config(NamedTuple):
    width: int
    name: str


def root(x: torch.Tensor, cfg: Config) -> int:
    if x.dim() > 2:
        return cfg.name
    return cfg.width
