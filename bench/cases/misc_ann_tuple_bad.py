# case: Variable annotated with type
import torch
from typing import List, Tuple
def root(x: torch.Tensor) -> torch.Tensor:
    t: Tuple[int, float] = (1, 2)
    return x
