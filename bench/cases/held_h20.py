# case: annotated list mismatch
import torch
from typing import List
def root(x: torch.Tensor) -> torch.Tensor:
    weights: List[float] = [1, 2, 3]
    return x * weights[0]
