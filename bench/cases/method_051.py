# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.expand(shape=[2, 2])
