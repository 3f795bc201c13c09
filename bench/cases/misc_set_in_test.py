# case: Set aren't supported
import torch

def root(x: torch.Tensor, s: str) -> torch.Tensor:
    if s in {"a", "b"}:
        return x
    return x + 1
