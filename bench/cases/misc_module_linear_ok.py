# case: ok
import torch

class root(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 3)
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(x)
