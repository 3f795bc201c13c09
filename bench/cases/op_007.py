# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(x, dim=0)
