# case: ok
import torch
import torch.nn.functional as F
from typing import List

def root(x: torch.Tensor) -> torch.Tensor:
    k: List[int] = [2, 2]
    return F.max_pool2d(x, k)
