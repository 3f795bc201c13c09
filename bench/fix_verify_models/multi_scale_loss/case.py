import torch
from model import MultiScale


def case():
    torch.manual_seed(0)
    return MultiScale().eval(), [(torch.randn(2, 3, 8),), (torch.randn(1, 3, 12),)]
