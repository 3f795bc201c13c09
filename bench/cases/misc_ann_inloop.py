# case: Variable annotated with type
import torch
def root(x: torch.Tensor) -> torch.Tensor:
    for i in range(3):
        z: float = i
    return x
