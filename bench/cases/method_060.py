# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.mul(2.0, 3.0)
