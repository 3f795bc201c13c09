# case: keyword unknown
import torch
import torch.nn.functional as F
def root(x: torch.Tensor) -> torch.Tensor:
    return F.dropout(x, rate=0.2, training=False)
