# case: ok
import torch

from typing import List
def root(x: torch.Tensor) -> torch.Tensor:
    v = [x]
    if torch.jit.isinstance(v, List[torch.Tensor]):
        return v[0]
    return x
