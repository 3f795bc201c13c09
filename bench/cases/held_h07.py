# case: ok
import torch
from typing import Optional
def root(x: torch.Tensor, use_bias: bool) -> torch.Tensor:
    if use_bias:
        bias: Optional[torch.Tensor] = x.mean()
    else:
        bias = None
    if bias is not None:
        x = x + bias
    return x
