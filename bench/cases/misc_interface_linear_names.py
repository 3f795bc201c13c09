# case: Attribute is not of annotated type
import torch
from torch import nn

@torch.jit.interface
class LayerIface(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pass

class root(nn.Module):
    layer: LayerIface

    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(3, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer.forward(x)
