# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    assert x.dim() > 0, "needs a dim"
    return x
