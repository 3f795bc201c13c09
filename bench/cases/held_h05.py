# case: ok
import torch
def root(x: torch.Tensor) -> int:
    n = 0
    for i in range(x.size(0)):
        if bool(x[i] > 0):
            n += 1
    return n
