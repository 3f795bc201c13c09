# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.repeat(times=[2, 1])
