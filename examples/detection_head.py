"""A detection head with box decoding and score filtering, in the style of many research repos."""

from typing import List, Tuple

import torch
from torch import nn


class DetectionHead(nn.Module):
    def __init__(self, in_channels: int, num_classes: int, num_anchors: int = 3):
        super().__init__()
        self.num_classes = num_classes
        self.levels = [nn.Conv2d(in_channels, num_anchors * (num_classes + 4), 1) for _ in range(3)]
        self.score_threshold = 0.05

    def decode(self, deltas, anchors, stride=8.0):
        boxes = []
        for i in range(deltas.size(0)):
            cx = anchors[i, 0] + deltas[i, 0] * stride
            cy = anchors[i, 1] + deltas[i, 1] * stride
            boxes.append(torch.stack([cx, cy]))
        return torch.stack(boxes)

    def forward(self, features: List[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        outputs = []
        for i in range(len(features)):
            outputs.append(self.levels[i](features[i]).flatten(1))
        logits = torch.cat(outputs, dim=1)
        scores = logits.sigmoid()
        keep = scores.max().item() > self.score_threshold
        if scores.sum() > 0:
            scores = scores / scores.sum()
        n = int(scores.shape[1])
        anchors = torch.zeros(n, 2, device=scores.device)
        return scores, anchors
