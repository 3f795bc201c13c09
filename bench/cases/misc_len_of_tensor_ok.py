# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x * len(x)
