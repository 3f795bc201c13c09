# case: recursion
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    if x.dim() > 3:
        return root(x.sum(0))
    return x
