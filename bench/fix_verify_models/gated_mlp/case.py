import torch
from model import GatedMLP


def case():
    torch.manual_seed(0)
    return GatedMLP(8, 16).eval(), [(torch.randn(2, 8), torch.randn(2, 8)), (torch.randn(4, 8), torch.randn(4, 8))]
