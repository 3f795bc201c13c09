# case: hasattr
import torch

class root(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        name = "weight"
        if hasattr(self, name):
            return x
        return x + 1
