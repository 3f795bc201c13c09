# case: ok
import torch

from typing import Dict
def root(x: torch.Tensor) -> torch.Tensor:
    d: Dict[str, int] = {"a": 1}
    return x * d["a"]
