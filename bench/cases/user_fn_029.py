# case: ok
import torch

def helper(a: torch.Tensor, b: int, c: float = 2.0) -> torch.Tensor:
    return a * b * c

def root(x: torch.Tensor) -> torch.Tensor:
    return helper(x, 2, c=3.0)
