# case: Return value was annotated as having type
import torch
from typing import Optional
def root(x: torch.Tensor, n: int) -> Optional[int]:
    if n > 0:
        return None
    return n
