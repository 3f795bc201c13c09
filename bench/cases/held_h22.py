# case: ok
import torch
class root(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(4, 4)
        self.act = torch.nn.ReLU()
        self.drop = torch.nn.Dropout(0.1)
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.act(self.proj(x)))
