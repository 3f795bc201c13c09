# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    print(x, 1)
    return x
