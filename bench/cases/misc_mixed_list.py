# case: list
import torch

from typing import List
def root(x: torch.Tensor) -> torch.Tensor:
    a: List[int] = [1, 2.0]
    return x
