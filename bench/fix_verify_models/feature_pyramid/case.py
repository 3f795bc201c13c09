import torch
from model import FPN


def case():
    torch.manual_seed(0)
    m = FPN([4, 6]).eval()
    return m, [([torch.randn(1, 4, 8, 8), torch.randn(1, 6, 16, 16)],),
               ([torch.randn(2, 4, 6, 6), torch.randn(2, 6, 12, 12)],)]
