# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.to(dtype=torch.float)
