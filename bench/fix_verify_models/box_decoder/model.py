import torch
from torch import nn
from boxes import decode


class BoxHead(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.reg = nn.Linear(dim, 4)

    def forward(self, feats, anchors):
        deltas = self.reg(feats)
        n = int(deltas.size(0))
        boxes = decode(deltas, anchors)
        return boxes.view(n, 4)
