# case: Variable annotated with type
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    y: int = 4.0
    return x
