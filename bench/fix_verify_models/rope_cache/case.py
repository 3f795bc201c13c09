import torch
from model import Rotary


def case():
    torch.manual_seed(0)
    return Rotary(8).eval(), [(torch.randn(2, 3, 8),), (torch.randn(1, 5, 8),)]
