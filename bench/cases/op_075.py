# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.max(x, 0, True, 1)[0]
