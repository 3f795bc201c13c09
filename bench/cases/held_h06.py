# case: Type mismatch branches
import torch
def root(x: torch.Tensor, use_bias: bool) -> torch.Tensor:
    if use_bias:
        bias = x.mean()
    else:
        bias = 0.0
    return x + bias
