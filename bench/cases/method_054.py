# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.repeat(repeats=[2, 1])
