# case: ok
import torch
import torch.nn.functional as F

def root(x: torch.Tensor) -> torch.Tensor:
    return F.avg_pool2d(x, kernel_size=x.shape)
