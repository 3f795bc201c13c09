# case: E006
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.expand()
