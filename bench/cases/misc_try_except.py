# case: try
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    try:
        return x + 1
    except Exception:
        return x
