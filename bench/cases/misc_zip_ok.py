# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    for a, b in zip([x], [x]):
        x = a + b
    return x
