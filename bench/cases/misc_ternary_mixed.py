# case: ternary
import torch

def root(x: torch.Tensor, flag: bool) -> torch.Tensor:
    y = x if flag else 1.0
    return x
