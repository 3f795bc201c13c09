# case: ok (a tuple key: one index)
import torch
from typing import Dict, Tuple

def root(x: torch.Tensor) -> torch.Tensor:
    d: Dict[int, int] = {1: 2}
    del d[1, 2]
    return x
