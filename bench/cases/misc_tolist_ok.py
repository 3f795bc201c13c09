# case: ok
import torch

from typing import List
def root(x: torch.Tensor) -> torch.Tensor:
    v: List[float] = x.tolist()
    return x
