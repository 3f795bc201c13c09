# case: del slice
import torch
from typing import List
def root(x: torch.Tensor) -> torch.Tensor:
    dims: List[int] = list(x.shape)
    del dims[:1]
    return x.reshape([x.size(0)] + [-1])
