# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.softmax(x, dims=-1)
