# case: ok
import torch

def helper(a: torch.Tensor, s: float) -> torch.Tensor:
    return a * s
def root(x: torch.Tensor) -> torch.Tensor:
    return helper(x, 2)
