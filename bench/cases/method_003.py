# case: E003
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.view(2, 'a')
