# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x[0:1]
