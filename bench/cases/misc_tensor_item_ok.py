# case: ok
import torch

def root(x: torch.Tensor) -> float:
    return x.sum().item()
