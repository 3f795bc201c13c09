# case: finfo
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x + torch.finfo(x.dtype).eps
