# case: ok
import torch
from typing import List
def root(xs: List[torch.Tensor]) -> torch.Tensor:
    shapes = [t.size(0) for t in xs]
    biggest = max(shapes)
    padded = [torch.nn.functional.pad(t, [0, biggest - t.size(0)]) for t in xs]
    return torch.stack(padded)
