# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.mean(x, 0, True, None, 1)
