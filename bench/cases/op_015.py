# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.sum(x, 0, True, None, 1)
