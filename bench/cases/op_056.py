# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.full([2], 1.0, value=2.0)
