# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.stack([x, x], 0, 1)
