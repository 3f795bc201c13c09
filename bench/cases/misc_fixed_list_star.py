# case: cannot statically infer the expected size of a list
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    dims = [1, 2]
    return x.view(*dims)
