# case: ok
import torch
import torch.nn.functional as F

def root(x: torch.Tensor) -> torch.Tensor:
    k = [2 for _ in range(2)]
    return F.max_pool2d(x, k)
