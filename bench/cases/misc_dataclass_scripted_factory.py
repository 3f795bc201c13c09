# case: Default factory initializers are not supported in TorchScript dataclasses
import torch
from dataclasses import dataclass, field
from typing import List

@torch.jit.script
@dataclass
class Cfg:
    n: int
    xs: List[int] = field(default_factory=list)

def root(x: torch.Tensor) -> torch.Tensor:
    c = Cfg(2)
    return x * c.n
