# case: E003
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.flatten(1.5)
