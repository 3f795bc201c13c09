# case: ok
import torch

from typing import List
def root(x: torch.Tensor) -> torch.Tensor:
    a: List[float] = [1.0, 2.0]
    return x * a[0]
