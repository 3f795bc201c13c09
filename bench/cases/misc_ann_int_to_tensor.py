# case: Variable annotated with type
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    y: torch.Tensor = 1
    return x
