# case: starred
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    a, *rest = [x, x, x]
    return a
