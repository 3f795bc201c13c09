# case: ok
import torch

def root(x: torch.Tensor, *, scale: float = 2.0) -> torch.Tensor:
    return x * scale
