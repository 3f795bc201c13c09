# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.masked_fill(x > 0, 0.0)
