# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    s = "%d" % 3
    return x
