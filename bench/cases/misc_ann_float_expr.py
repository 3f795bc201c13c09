# case: Variable annotated with type
import torch
def root(x: torch.Tensor, n: int) -> torch.Tensor:
    z: float = n * 2
    return x
