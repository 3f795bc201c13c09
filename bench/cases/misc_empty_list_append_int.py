# case: empty
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    xs = []
    xs.append(1)
    return x
