# case: Expression of type {kind} cannot be used in a type expression
import torch
from typing import Optional


class root(torch.nn.Module):
    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        if torch.jit.isinstance(mask, type(None)):
            return x
        return x * mask
