# case: List type annotation did not match
import torch
from typing import List

def root(x: torch.Tensor) -> torch.Tensor:
    d: List[List[int]] = [[], [1]]
    return x * len(d)
