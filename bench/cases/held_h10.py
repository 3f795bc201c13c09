# case: undefined
import torch
def root(x: torch.Tensor) -> torch.Tensor:
    sizes = [d for d in x.shape]
    total = 1
    for s in sizes:
        total = total * s
    return x.reshape(total) * d
