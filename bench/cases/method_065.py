# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.topk(1)[0]
