# case: ok
import torch
from typing import Union
def root(x: torch.Tensor) -> torch.Tensor:
    z: Union[int, str] = 4
    return x
