# case: ok
import torch
from typing import List

def root(x: torch.Tensor, xs: List[int]) -> torch.Tensor:
    xs[0] += 1
    xs[1] = 3
    return x * xs[0]
