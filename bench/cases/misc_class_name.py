# case: name
import torch

class root(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = self.__class__.__name__
        return x
