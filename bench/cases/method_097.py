# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.norm(p=2, dim=1)
