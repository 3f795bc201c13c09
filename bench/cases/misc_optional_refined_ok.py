# case: ok
import torch

from typing import Optional
def root(x: torch.Tensor, y: Optional[torch.Tensor] = None) -> torch.Tensor:
    if y is not None:
        return x + y
    return x
