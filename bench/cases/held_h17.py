# case: print kw
import torch
def root(x: torch.Tensor) -> torch.Tensor:
    print("mean", x.mean(), flush=True)
    return x
