# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.add(x, 1.0)
