# case: Expected a value of type
import collections
import torch

Pair = collections.namedtuple("Pair", ["features", "length"])


def root(x: torch.Tensor) -> torch.Tensor:
    p = Pair(x, x.size(0))
    return p.features
