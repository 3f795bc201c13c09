# case: ok
import torch

def root(x: torch.Tensor, a: bool, b: bool) -> torch.Tensor:
    if a and b:
        return x
    return x + 1
