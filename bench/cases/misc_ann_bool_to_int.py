# case: Variable annotated with type
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    y: int = True
    return x
