# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.topk(x, k=1, largest=True)[0]
