# case: Return value was annotated as having type
import torch
def root(x: torch.Tensor) -> str:
    return 1
