# case: dict literal values
import torch
from typing import Dict
def root(x: torch.Tensor) -> torch.Tensor:
    t: Dict[str, float] = {"a": 1}
    return x
