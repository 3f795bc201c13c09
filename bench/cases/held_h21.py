# case: ok
import torch
from typing import List
def root(x: torch.Tensor) -> torch.Tensor:
    weights: List[float] = [1.0, 2.0, 3.0]
    w = 0.0
    for v in weights:
        w = w + v
    return x * w
