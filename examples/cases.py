"""Targets for `jitlint verify`: each returns (model, [args_tuple, ...]).

The first argument tuple is what a trace is made with; the others have other shapes and
values, so a trace that baked in the first one's shape or branch is caught diverging.

    jitlint verify examples/cases.py::attention --device cpu
"""

import torch

from attention import Block
from detection_head import DetectionHead


def attention():
    torch.manual_seed(0)
    model = Block(dim=32).eval()
    return model, [(torch.randn(2, 5, 32),), (torch.randn(3, 9, 32),)]


def detection_head():
    torch.manual_seed(0)
    model = DetectionHead(in_channels=8, num_classes=3).eval()
    def features(batch, size):
        return [torch.randn(batch, 8, size, size) for _ in range(3)]
    return model, [(features(1, 4),), (features(2, 6),)]
