# case: with
import torch
class Timer(object):
    def __init__(self):
        self.t = 0.0
    def __enter__(self):
        return self
    def __exit__(self, *args):
        pass
def root(x: torch.Tensor) -> torch.Tensor:
    with Timer():
        y = x * 2
    return y
