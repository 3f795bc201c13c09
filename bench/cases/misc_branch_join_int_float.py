# case: Type mismatch: set to type in the true branch and type in the false branch
import torch

def root(x: torch.Tensor, n: int) -> torch.Tensor:
    if n > 0:
        s = 1
    else:
        s = 0.5
    return x * s
