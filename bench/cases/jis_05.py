# case: expecting kind
import torch
from typing import List, Union


def root(x: torch.Tensor, v: Union[List[int], int]) -> torch.Tensor:
    if torch.jit.isinstance(obj=v, target_type=int):
        return x + v
    return x
