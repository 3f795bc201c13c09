# case: isinstance
import torch

from typing import Optional
def root(x: torch.Tensor, y: Optional[int] = None) -> torch.Tensor:
    if isinstance(y, (int, type(None))):
        return x
    return x
