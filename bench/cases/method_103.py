# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.where(x > 0, x)
