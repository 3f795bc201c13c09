# case: ok (part 5: ModuleList slice)
import torch

class root(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(3, 3) for _ in range(3)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = len(self.layers[1:])
        return x * n
