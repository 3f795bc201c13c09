# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.mul(x, other=x, alpha=1)
