# case: set
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    s = {i for i in range(3)}
    return x
