# case: ok
import torch
from typing import List
def root(x: torch.Tensor) -> torch.Tensor:
    t: List[torch.Tensor] = [x, x + 1]
    return x
