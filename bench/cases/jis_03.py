# case: Expression of type {kind} cannot be used in a type expression
import torch
from typing import Tuple, Union


def root(x: torch.Tensor, size: Union[int, Tuple[int, int]]) -> torch.Tensor:
    if torch.jit.isinstance(size, Tuple[int, ...]):
        return x.view(size[0], size[1])
    return x
