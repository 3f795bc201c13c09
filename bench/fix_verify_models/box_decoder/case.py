import torch
from model import BoxHead


def case():
    torch.manual_seed(0)
    return BoxHead(6).eval(), [(torch.randn(3, 6), torch.rand(3, 4) + 0.5), (torch.randn(5, 6), torch.rand(5, 4) + 0.5)]
