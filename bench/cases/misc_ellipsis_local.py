# case: Expression of type dots
import torch
from typing import Tuple

def root(x: torch.Tensor) -> torch.Tensor:
    t: Tuple[int, ...] = (1, 2)
    return x
