# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.mul(x, 2.0)
