# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.ones(2, 3, device=x.device)
