# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.pad(x, [1, 1])
