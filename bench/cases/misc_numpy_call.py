# case: numpy
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    y = x.numpy()
    return x
