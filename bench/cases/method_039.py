# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.masked_fill(m=x > 0, value=0.0)
