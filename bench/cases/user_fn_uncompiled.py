# case: ok
import torch

def helper(a: torch.Tensor) -> torch.Tensor:
    return a

def unused(x: torch.Tensor) -> torch.Tensor:
    return helper(x, x)

def root(x: torch.Tensor) -> torch.Tensor:
    return helper(x)
