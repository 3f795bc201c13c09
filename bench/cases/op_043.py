# case: E003
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.zeros(3, 'a')
