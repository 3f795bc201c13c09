# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    v = x.sum().item()
    w: float = float(x.sum().item())
    return x * w
