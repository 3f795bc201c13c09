# case: ok
import torch
from typing import List, Optional, Tuple

def root(x: torch.Tensor, n: int) -> torch.Tensor:
    a: Optional[List[int]] = [1, 2]
    b: Tuple[int, Optional[int]] = (1, 2)
    c: float = 2.0 * n
    return x * c
