# case: ok
import torch

class root(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x + 1
        return y.softmax(dim=-1)
