# case: ok
import torch
from typing import Optional, List
def root(x: torch.Tensor) -> torch.Tensor:
    y: Optional[int] = 4
    w: List[Optional[int]] = [1, None]
    v: Optional[torch.Tensor] = x
    u: List[Optional[int]] = [1, 2]
    return x
