# case: list
import torch

from typing import List, Optional
def root(x: torch.Tensor) -> torch.Tensor:
    a: List[int] = [1, 2]
    b: List[Optional[int]] = a
    return x
