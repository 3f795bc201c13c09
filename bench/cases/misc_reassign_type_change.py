# case: assign
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    y = 1
    y = 2.5
    return x * y
