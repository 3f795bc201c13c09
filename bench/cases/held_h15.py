# case: ok
import torch
from typing import List
def root(x: torch.Tensor) -> torch.Tensor:
    dims: List[int] = list(x.shape)
    del dims[0]
    return x.reshape([x.size(0)] + [-1]) * len(dims)
