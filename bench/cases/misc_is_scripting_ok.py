# case: ok
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    if not torch.jit.is_scripting():
        return x.numpy()
    return x
