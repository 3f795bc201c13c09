# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    y: int = 4
    y = 2.5
    return x
