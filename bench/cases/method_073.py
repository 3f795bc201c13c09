# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.index_select(0, x.long())
