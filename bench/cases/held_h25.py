# case: ok
import torch
from typing import Optional
def root(x: torch.Tensor, scale: Optional[float] = None) -> torch.Tensor:
    s: float = 1.0 if scale is None else scale
    return x * s
