# case: E003
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.add(x, 'a')
