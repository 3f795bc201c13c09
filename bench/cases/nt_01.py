# case: Expected a value of type
import torch
from typing import NamedTuple, Tuple


class Detection(NamedTuple):
    score: float
    boxes: torch.Tensor


class root(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.head = torch.nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, float]:
        boxes = self.head(x)
        det = Detection(1, boxes)
        return det.boxes, det.score
