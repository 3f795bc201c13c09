# case: enumerate
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    for i, v in enumerate([x], 0, 1):
        x = x + v
    return x
