# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.chunk(2, dim=0)[0]
