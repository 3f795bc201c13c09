# case: Variable annotated with type
import torch
from typing import Dict, Optional

def root(x: torch.Tensor) -> torch.Tensor:
    a: Dict[str, int] = {"a": 1}
    b: Dict[str, Optional[int]] = a
    return x
