# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.pow(x, exp=2)
