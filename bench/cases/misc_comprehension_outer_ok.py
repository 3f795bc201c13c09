# case: ok
import torch
from typing import List

def root(x: torch.Tensor) -> torch.Tensor:
    k = 2
    ys = [i * k for i in range(3)]
    return x * len(ys)
