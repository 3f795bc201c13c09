# case: ok
import torch
def root(x: torch.Tensor) -> torch.Tensor:
    print("mean", x.mean())
    for i, v in enumerate(x.unbind(0), 1):
        x = x + v * i
    return x
