import torch
from model import Averager


def case():
    torch.manual_seed(0)
    return Averager(4).eval(), [(torch.randn(2, 4),), (torch.randn(7, 4),)]
