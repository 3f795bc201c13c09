# case: ok
import torch

def root(x: torch.Tensor, *, scale: float) -> torch.Tensor:
    return x * scale
