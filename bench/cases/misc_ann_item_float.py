# case: Variable annotated with type
import torch
def root(x: torch.Tensor) -> torch.Tensor:
    t: float = x.item()
    return x
