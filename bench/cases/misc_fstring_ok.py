# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    s = f"{x.dim()}"
    return x
