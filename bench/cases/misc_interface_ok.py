# case: ok
import torch
from torch import nn

@torch.jit.interface
class LayerIface(nn.Module):
    def forward(self, input: torch.Tensor) -> torch.Tensor:
        pass

class Double(nn.Module):
    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return input * 2

class root(nn.Module):
    a: LayerIface
    b: LayerIface

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 3)
        self.b = Double()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.a.forward(self.b.forward(x))
