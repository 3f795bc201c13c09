# case: E011
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.sum(x, 0, dim=1)
