# case: ok
import torch
from typing import Optional, Tuple, Union


def root(x: torch.Tensor, size: Union[int, Tuple[int, int]], k: Optional[int] = None) -> torch.Tensor:
    if torch.jit.isinstance(size, Tuple[int, int]):
        x = x.view(size[0], size[1])
    elif torch.jit.isinstance(size, (int, float)):
        x = x * size
    if torch.jit.isinstance(k, Optional[int]):
        x = x + 1
    if k is not None:
        x = x + k
    return x
