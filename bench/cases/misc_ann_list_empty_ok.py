# case: ok
import torch
from typing import List, Tuple
def root(x: torch.Tensor) -> torch.Tensor:
    z: List[int] = []
    t: Tuple[int, float] = (1, 2.0)
    return x
