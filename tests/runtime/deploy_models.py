"""Models for tests/runtime/test_runtime_deploy.py (a real file: torch.jit.script reads source)."""

import torch
from torch import nn


class Clean(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        return torch.relu(self.fc(x))


class Branchy(nn.Module):
    def forward(self, x):
        if x.sum() > 0:  # BRANCH
            return x * 2
        return -x


class SizeLoop(nn.Module):
    def forward(self, x):
        out = x
        for i in range(x.size(0)):  # LOOP
            out = out + x[i]
        return out


class Counter(nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, x):
        self.calls += 1  # COUNTER
        return x * self.calls


def inputs():
    torch.manual_seed(0)
    return [(torch.randn(4, 8),), (torch.randn(6, 8),)]
