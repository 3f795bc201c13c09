# case: branch
import torch

def root(x: torch.Tensor, flag: bool) -> torch.Tensor:
    if flag:
        y = x
    else:
        y = 1.0
    return x * y
