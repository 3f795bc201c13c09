# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return x.chunk(2, axis=0)[0]
