# case: ok
import torch
from typing import Dict, List, Union


def root(x: torch.Tensor, extra: Union[Dict[str, torch.Tensor], List[torch.Tensor]]) -> torch.Tensor:
    if torch.jit.isinstance(extra, Dict[str, torch.Tensor]):
        return x + extra["bias"]
    if torch.jit.isinstance(extra, List[torch.Tensor]):
        return x + extra[0]
    return x
