# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    d = {str(i): x * i for i in range(3)}
    return d["1"]
