# case: List type annotation did not match
import torch
from typing import List

def root(x: torch.Tensor) -> torch.Tensor:
    y: List[float] = [1, 2]
    return x
