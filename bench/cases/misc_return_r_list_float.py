# case: Return value was annotated as having type
import torch
from typing import List
def root(x: torch.Tensor) -> List[float]:
    return [1, 2]
