# case: with
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    with open("f") as f:
        pass
    return x
