import torch
from layers import Attention


def case():
    torch.manual_seed(0)
    m = Attention(16).eval()
    return m, [(torch.randn(2, 5, 16), torch.ones(2, 5)), (torch.randn(3, 7, 16), torch.ones(3, 7))]
