# case: Return value was annotated as having type
import torch
from typing import List, Optional
def root(x: torch.Tensor) -> List[Optional[int]]:
    a = [1, 2]
    return a
