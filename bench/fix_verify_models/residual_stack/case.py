import torch
from model import Stack


def case():
    torch.manual_seed(0)
    return Stack(8, 3).eval(), [(torch.randn(2, 8),), (torch.randn(5, 8),)]
