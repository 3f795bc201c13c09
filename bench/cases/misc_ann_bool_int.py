# case: Variable annotated with type
import torch
def root(x: torch.Tensor) -> torch.Tensor:
    z: bool = 1
    return x
