# case: Variable annotated with type
import torch
from typing import List

def root(x: torch.Tensor) -> torch.Tensor:
    a = [1, 2]
    b: List[float] = a
    return x
