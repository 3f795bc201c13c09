# case: ok (part 5: _IgnoreContextManager)
import torch

class root(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.jit._IgnoreContextManager(x="inp:torch.Tensor", y="out:torch.Tensor"):
            import math
            try:
                y = x + math.sqrt(4.0)
            except Exception:
                y = x
        return y + 1
