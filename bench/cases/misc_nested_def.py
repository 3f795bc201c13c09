# case: def
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    def inner(v: torch.Tensor) -> torch.Tensor:
        return v + 1
    return inner(x)
