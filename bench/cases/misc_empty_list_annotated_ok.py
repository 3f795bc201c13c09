# case: ok
import torch

from typing import List
def root(x: torch.Tensor) -> torch.Tensor:
    xs: List[int] = []
    xs.append(1)
    return x * len(xs)
