# case: ok (part 5: __post_init__ fields)
import torch
from dataclasses import dataclass

@torch.jit.script
@dataclass
class Cfg:
    n: int
    m: int = 0

    def __post_init__(self):
        self.m = self.n * 2

def root(x: torch.Tensor) -> torch.Tensor:
    c = Cfg(2)
    return x * c.m
