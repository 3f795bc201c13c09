# case: python value of type set
import torch

NAMES = {"a", "b"}

def root(x: torch.Tensor, s: str) -> torch.Tensor:
    if s in NAMES:
        return x
    return x + 1
