# case: does not support augmented assignment
import torch

def root(x: torch.Tensor, s: str) -> torch.Tensor:
    s[0] += "a"
    return x
