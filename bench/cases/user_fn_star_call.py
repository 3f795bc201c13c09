# case: E031
import torch

def helper(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a + b

def root(x: torch.Tensor) -> torch.Tensor:
    args = [x, x]
    return helper(*args)
