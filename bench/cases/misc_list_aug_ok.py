# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    t = [x, x]
    t[0] += 1
    return t[0]
