# case: Expected integer literal for index
import torch

class root(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(3, 3) for _ in range(3)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        i = 1
        layer = self.layers[i]
        return layer(x)
