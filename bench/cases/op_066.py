# case: E003
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.flatten(x, 1.5)
