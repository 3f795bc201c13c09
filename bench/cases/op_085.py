# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.softmax(x, dim=-1)
