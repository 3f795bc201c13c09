# case: none
import torch

def root(x: torch.Tensor, y: torch.Tensor = None) -> torch.Tensor:
    return x
