# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    y: int = 4
    return x * y
