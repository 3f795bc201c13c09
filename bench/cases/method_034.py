# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.clamp(0.0, 1.0, 2.0)
