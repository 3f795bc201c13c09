# case: Attribute is not of annotated type
import torch
from torch import nn

@torch.jit.interface
class EncIface(nn.Module):
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        pass

class Enc(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x

class root(nn.Module):
    enc: EncIface

    def __init__(self):
        super().__init__()
        self.enc = Enc()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.enc.encode(x)
