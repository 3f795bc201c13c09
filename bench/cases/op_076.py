# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.where(x > 0, x, x)
