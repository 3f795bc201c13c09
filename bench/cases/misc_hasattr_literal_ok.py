# case: ok
import torch

class root(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if hasattr(self, "weight"):
            return x
        return x + 1
