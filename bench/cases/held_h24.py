# case: ok
import torch
def root(x: torch.Tensor, k: int) -> torch.Tensor:
    if k > 0:
        y = x[:k]
    else:
        y = x
    return y.sum(0)
