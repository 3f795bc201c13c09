# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    ys = [x * i for i in range(3)]
    return torch.stack(ys)
