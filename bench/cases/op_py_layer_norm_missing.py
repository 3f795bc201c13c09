# case: E006
import torch
import torch.nn.functional as F

def root(x: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(x)
