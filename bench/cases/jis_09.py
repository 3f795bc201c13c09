# case: Cannot create dict for key type
import torch
from typing import Dict, Tuple, Union


def root(x: torch.Tensor, table: Union[Dict[Tuple[int, int], int], int]) -> torch.Tensor:
    if torch.jit.isinstance(table, Dict[Tuple[int, int], int]):
        return x + len(table)
    return x
