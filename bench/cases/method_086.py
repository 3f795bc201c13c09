# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.exp(x)
