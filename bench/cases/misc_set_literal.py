# case: set
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    s = {1, 2}
    return x
