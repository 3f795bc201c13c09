# case: super
import torch

class Base(torch.nn.Module):
    def helper(self, x: torch.Tensor) -> torch.Tensor:
        return x
class root(Base):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().helper(x)
