# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    y = x + 1
    del y
    return x
