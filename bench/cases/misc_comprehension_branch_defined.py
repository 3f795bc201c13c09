# case: is not defined in the false branch
import torch
from typing import List
def root(x: torch.Tensor, flag: bool) -> torch.Tensor:
    if flag:
        n = 2
    ys = [i * n for i in range(3)]
    return x * len(ys)
