# case: else
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    i = 0
    while i < 3:
        i += 1
    else:
        x = x - 1
    return x
