# case: Variable annotated with type
import torch
def root(x: torch.Tensor) -> torch.Tensor:
    z: float = 4
    return x
