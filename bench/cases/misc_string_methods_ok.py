# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    s = "a,b".split(",")
    return x * len(s)
