# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.expand(size=[2, 2])
