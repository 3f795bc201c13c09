# case: With item expression must return an object
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    with x:
        x = x + 1
    return x
