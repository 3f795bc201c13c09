# case: Unknown type name
import torch
from typing import Dict, List, Union


def root(x: torch.Tensor, extra: Union[Dict[str, torch.Tensor], List[torch.Tensor]]) -> torch.Tensor:
    if torch.jit.isinstance(extra, dict):
        return x + extra["bias"]
    return x
