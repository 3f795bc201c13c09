# case: cannot statically infer the expected size of a list
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.view(*x.shape)
