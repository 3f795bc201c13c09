# case: E006
import torch

class root(torch.nn.Module):
    def helper(self, a: torch.Tensor, b: int = 1) -> torch.Tensor:
        return a * b

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.helper(b=2)
