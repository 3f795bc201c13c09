# case: else
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    for i in range(3):
        x = x + i
    else:
        x = x - 1
    return x
