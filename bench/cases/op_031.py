# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.add(x, x, alpha=2)
