# case: print
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    print(x, end="")
    return x
