# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.softmax(dim=-1, foo=1)
