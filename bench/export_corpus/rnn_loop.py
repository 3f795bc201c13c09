import torch
from torch import nn


class Recurrent(nn.Module):
    """Elman RNN unrolled over time steps with a Python loop."""

    def __init__(self):
        super().__init__()
        self.cell = nn.RNNCell(8, 8)

    def forward(self, x):
        h = torch.zeros(x.size(0), 8)
        outs = []
        for t in range(x.size(1)):
            h = self.cell(x[:, t], h)
            outs.append(h)
        return torch.stack(outs, 1)
