# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.mean(x, axis=0)
