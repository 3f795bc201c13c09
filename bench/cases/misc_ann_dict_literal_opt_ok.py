# case: ok
import torch
from typing import Dict, Optional
def root(x: torch.Tensor) -> torch.Tensor:
    t: Dict[str, Optional[int]] = {"a": 1}
    return x
