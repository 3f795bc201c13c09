# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.mul(x, x, x)
