# case: does not define __enter__ and __exit__
import torch

@torch.jit.script
class Ctx(object):
    def __init__(self):
        self.n = 0

def root(x: torch.Tensor) -> torch.Tensor:
    c = Ctx()
    with c:
        x = x + 1
    return x
