# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.add(x, x, 2)
