# case: E003
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.softmax(x, 1.5)
