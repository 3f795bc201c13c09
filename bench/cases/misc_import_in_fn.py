# case: import
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    import math
    return x * math.pi
