# case: zip
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    for a in zip():
        x = x + 1
    return x
