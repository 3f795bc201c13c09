# case: ok
import torch

def root(x: torch.Tensor, n: int) -> torch.Tensor:
    if 0 < n < 4:
        return x
    return x + 1
