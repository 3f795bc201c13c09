# case: Variable annotated with type
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    y: str = None
    return x
