# case: setattr
import torch

class root(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.count = 0
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.extra = 1
        return x
