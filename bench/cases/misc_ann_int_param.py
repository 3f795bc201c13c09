# case: Variable annotated with type
import torch
def root(x: torch.Tensor, n: int) -> torch.Tensor:
    z: float = n
    return x
