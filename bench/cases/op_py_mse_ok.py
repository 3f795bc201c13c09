# case: ok
import torch
import torch.nn.functional as F

def root(x: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(x, x * 2, reduction="sum") + F.softmax(x, -1).sum()
