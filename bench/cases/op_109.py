# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.narrow(x, 0, 0, 1, 1)
