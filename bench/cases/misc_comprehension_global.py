# case: python value of type int
import torch
K = 2
def root(x: torch.Tensor) -> torch.Tensor:
    ys = [i * K for i in range(3)]
    return x * len(ys)
