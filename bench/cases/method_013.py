# case: E011
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.sum(0, dim=0)
