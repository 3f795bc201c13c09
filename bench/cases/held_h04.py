# case: Return value annotated
import torch
def root(x: torch.Tensor) -> float:
    if x.numel() == 0:
        return 0
    return float(x.mean())
