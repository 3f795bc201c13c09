# case: E011
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.cat([x, x], 0, dim=0)
