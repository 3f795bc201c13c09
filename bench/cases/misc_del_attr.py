# case: del statements are only supported for deleting list and dict items
import torch

class root(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.k = 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        del self.k
        return x
