# case: hasattr's second argument
import torch

def root(x: torch.Tensor, name: str) -> torch.Tensor:
    if hasattr(x, name):
        return x
    return x + 1
