# case: ok
import torch

def helper(a: torch.Tensor, scale: float = 1.0, shift: float = 0.0) -> torch.Tensor:
    return a * scale + shift

def root(x: torch.Tensor) -> torch.Tensor:
    return helper(x, 2.0)
