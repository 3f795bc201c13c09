# case: E003
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.cat([x, x], dim=1.5)
