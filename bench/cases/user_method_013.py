# case: E010
import torch

class root(torch.nn.Module):
    def helper(self, a: torch.Tensor) -> torch.Tensor:
        return a + 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.helper(input=x)
