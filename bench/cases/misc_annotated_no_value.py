# case: x: int
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    n: int
    n = 3
    return x * n
