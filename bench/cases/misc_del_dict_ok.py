# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    d = {"a": 1}
    del d["a"]
    return x
