# case: y: str = 4
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    y: str = 4
    return x
