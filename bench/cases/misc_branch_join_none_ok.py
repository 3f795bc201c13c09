# case: ok
import torch

def root(x: torch.Tensor, n: int) -> torch.Tensor:
    if n > 0:
        t = x
    else:
        t = None
    if t is None:
        return x
    return t
