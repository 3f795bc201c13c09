# case: undefined value
import torch
from typing import List

def root(x: torch.Tensor) -> torch.Tensor:
    ys = [i * k for i in range(3)]
    return x
