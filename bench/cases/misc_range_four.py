# case: range
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    for i in range(0, 4, 1, 1):
        x = x + i
    return x
