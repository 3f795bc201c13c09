# case: ok
import torch

from typing import List
def root(x: torch.Tensor) -> torch.Tensor:
    xs: List[int] = [1, 2, 3]
    del xs[0]
    return x * len(xs)
