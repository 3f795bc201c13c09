# case: With item expression must return an object
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    n = 3
    with n:
        x = x + 1
    return x
