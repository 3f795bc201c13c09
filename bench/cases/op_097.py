# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.abs(x, x)
