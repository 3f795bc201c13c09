# case: ok
import torch
from typing import List
def root(x: torch.Tensor, xs: List[int]) -> torch.Tensor:
    n = 2
    ys = [i * n for i in xs]
    return x * len(ys)
