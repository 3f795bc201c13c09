# case: dict
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    d = {(1, 2): x}
    return d[(1, 2)]
