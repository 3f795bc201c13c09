# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    for i, v in enumerate([x, x], start=1):
        x = x + v * i
    return x
