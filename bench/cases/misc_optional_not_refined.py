# case: optional
import torch

from typing import Optional
def root(x: torch.Tensor, y: Optional[torch.Tensor] = None) -> torch.Tensor:
    return x + y
