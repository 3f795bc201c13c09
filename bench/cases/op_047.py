# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.ones(2, 3, devices=x.device)
