# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    s = slice(0, 1)
    return x[s]
