# case: global
import torch

COUNT = 0
def root(x: torch.Tensor) -> torch.Tensor:
    global COUNT
    return x
