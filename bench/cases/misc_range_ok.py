# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    for i in range(0, 4, 2):
        x = x + i
    return x
