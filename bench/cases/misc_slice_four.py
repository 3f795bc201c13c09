# case: slice accepts exactly 1, 2 or 3
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    s = slice(0, 1, 1, 1)
    return x
