# case: ok
import torch
import math
def root(x: torch.Tensor, d: int) -> torch.Tensor:
    scale = 1.0 / math.sqrt(d)
    out = x * scale
    if d > 64:
        out = out.clamp(-10.0, 10.0)
    return out
