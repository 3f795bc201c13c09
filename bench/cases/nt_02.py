# case: ok
import torch
from typing import NamedTuple, Optional, Tuple


class Detection(NamedTuple):
    score: float
    boxes: torch.Tensor
    labels: Optional[torch.Tensor] = None


class root(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.head = torch.nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, float]:
        boxes = self.head(x)
        det = Detection(float(boxes.max()), boxes)
        best = Detection(score=boxes.max().item(), boxes=boxes, labels=boxes.argmax(1))
        return det.boxes + best.boxes, det.score
