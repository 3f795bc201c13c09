# case: AnnAssign without value
import torch
from typing import List

def root(x: torch.Tensor) -> torch.Tensor:
    if not torch.jit.is_scripting():
        xs: List[int]
    return x
