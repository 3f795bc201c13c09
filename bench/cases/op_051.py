# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.arange(0, 5, 1, 2)
