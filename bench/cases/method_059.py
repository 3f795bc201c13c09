# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.mul(2.0)
