# case: ok
import torch

class root(torch.nn.Module):
    def helper(self, a: torch.Tensor, b: int, c: float = 2.0) -> torch.Tensor:
        return a * b * c

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.helper(x, 2, 3)
