# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.arange(5, stop=3)
