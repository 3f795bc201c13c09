# case: Variable annotated with type
import torch
from typing import Optional
def root(x: torch.Tensor) -> torch.Tensor:
    y: Optional[float] = 4
    return x
