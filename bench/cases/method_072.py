# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.split(1, axis=0)[0]
