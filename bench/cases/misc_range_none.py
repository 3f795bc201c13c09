# case: range
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    for i in range():
        x = x + i
    return x
