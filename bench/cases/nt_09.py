# case: ok
import collections
import torch

Pair = collections.namedtuple("Pair", ["features", "mask"])


def root(x: torch.Tensor) -> torch.Tensor:
    p = Pair(x, x > 0)
    return p.features * p.mask
