# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.narrow(x, 0, 0, 1)
