# case: ok
import torch
def root(x: torch.Tensor) -> torch.Tensor:
    ys = [[i * j for j in range(i)] for i in range(3)]
    return x * len(ys)
