# case: keyword-only arguments with defaults
import torch

def helper(x: torch.Tensor, *, scale: float = 2.0) -> torch.Tensor:
    return x * scale

def root(x: torch.Tensor) -> torch.Tensor:
    return helper(x, scale=3.0)
