# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.topk(x, k=1, biggest=True)[0]
