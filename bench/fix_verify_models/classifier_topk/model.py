import torch
from torch import nn


class TopK(nn.Module):
    def __init__(self, dim, classes):
        super().__init__()
        self.fc = nn.Linear(dim, classes)

    def forward(self, x, k=2):
        probs = self.fc(x).softmax(-1)
        values, idx = probs.topk(k, dim=-1)
        return values, idx
