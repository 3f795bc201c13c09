# case: Variable annotated
import torch
def root(x: torch.Tensor) -> torch.Tensor:
    eps: float = 1
    return x / (x.norm() + eps)
