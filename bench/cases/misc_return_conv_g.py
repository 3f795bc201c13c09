# case: Return value was annotated as having type
import torch
from typing import Optional
def root(x: torch.Tensor) -> Optional[torch.Tensor]:
    return 1
