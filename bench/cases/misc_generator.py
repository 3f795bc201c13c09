# case: yield
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    ys = list(v + 1 for v in [x, x])
    return ys[0]
