# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.cat([x, x], axis=0)
