# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.dropout(x, p=0.5, training=False)
