# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    i = 0
    while i < 3:
        x = x * 2
        i += 1
    return x
