# case: Expression of type dots
import torch
from typing import List

def root(x: torch.Tensor, t: List[...]) -> torch.Tensor:
    return x
