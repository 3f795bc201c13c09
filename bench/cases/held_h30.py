# case: annotated assignment without value
import torch
def root(x: torch.Tensor, flag: bool) -> torch.Tensor:
    y: torch.Tensor
    if flag:
        y = x
    else:
        y = -x
    return y
