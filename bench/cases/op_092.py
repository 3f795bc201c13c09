# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.unsqueeze(x, dim=0, axis=0)
