# case: ok
import torch
def root(x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        y = x * 2
    with torch.autograd.profiler.record_function("scale"):
        y = y + 1
    return y
