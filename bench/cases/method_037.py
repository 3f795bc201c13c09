# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.masked_fill(x > 0, 0.0, 1.0)
