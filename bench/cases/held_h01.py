# case: ok
import torch
from typing import List, Optional, Tuple
class root(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = torch.nn.ModuleList([torch.nn.Linear(4, 4) for _ in range(2)])
        self.norm = torch.nn.LayerNorm(4)
    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, List[float]]:
        stats: List[float] = []
        for blk in self.blocks:
            x = blk(x)
            stats.append(float(x.mean()))
        if mask is not None:
            x = x * mask
        y = self.norm(x)
        scale: float = 1.0
        if y.dim() > 2:
            scale = 0.5
        return y * scale, stats
