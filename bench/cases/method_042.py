# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.contiguous(format=torch.contiguous_format)
