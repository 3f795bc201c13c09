# case: ok
import torch
import torch.nn.functional as F
def root(x: torch.Tensor) -> torch.Tensor:
    y = F.gelu(x)
    y = F.dropout(y, 0.2, False)
    return F.layer_norm(y, (y.size(-1),))
