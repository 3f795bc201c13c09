# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.cat([x, x], 0, 1)
