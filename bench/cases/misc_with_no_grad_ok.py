# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        y = x + 1
    return y
