# case: walrus
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    if (n := x.dim()) > 1:
        return x * n
    return x
