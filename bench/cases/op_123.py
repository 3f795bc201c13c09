# case: E009
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.linear(x, x, None, 1)
