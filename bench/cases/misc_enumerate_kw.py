# case: enumerate expected kwarg name 'start'
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    for i, v in enumerate([x], begin=1):
        x = x + v
    return x
