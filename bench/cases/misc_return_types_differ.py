# case: return
import torch

def root(x: torch.Tensor, flag: bool):
    if flag:
        return x
    return 1
