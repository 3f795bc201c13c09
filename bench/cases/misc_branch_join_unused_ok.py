# case: ok (the mismatch is reported only at a read)
import torch

def root(x: torch.Tensor, n: int) -> torch.Tensor:
    if n > 0:
        t = x
    else:
        t = 2.0
    return x
