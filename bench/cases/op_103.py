# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.topk(x, 1)[0]
