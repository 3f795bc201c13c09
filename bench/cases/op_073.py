# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.max(x, dim=0, keepdim=True)[0]
