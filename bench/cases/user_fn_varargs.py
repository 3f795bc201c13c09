# case: E031
import torch

def helper(*xs: torch.Tensor) -> torch.Tensor:
    return xs[0]

def root(x: torch.Tensor) -> torch.Tensor:
    return helper(x, x)
