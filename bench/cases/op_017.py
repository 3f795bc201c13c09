# case: E003
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.sum(x, 1.5)
