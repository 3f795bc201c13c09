# case: ok
import torch

def root(x: torch.Tensor) -> int:
    return x.dim()
