# case: E031
import torch

def helper(a: torch.Tensor, **kw: int) -> torch.Tensor:
    return a

def root(x: torch.Tensor) -> torch.Tensor:
    return helper(x, k=1)
