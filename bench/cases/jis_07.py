# case: Unknown type name
import torch


class root(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.jit.isinstance(self.proj, torch.nn.Module):
            return self.proj(x)
        return x
