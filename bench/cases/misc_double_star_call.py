# case: dict
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    kw = {"dim": 0}
    return torch.sum(x, **kw)
