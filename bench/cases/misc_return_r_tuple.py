# case: Return value was annotated as having type
import torch
from typing import Tuple
def root(x: torch.Tensor) -> Tuple[torch.Tensor, float]:
    return x, 1
