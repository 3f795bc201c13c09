# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.neg(x, alpha=1)
