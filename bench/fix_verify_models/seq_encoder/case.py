import torch
from model import Encoder


def case():
    torch.manual_seed(0)
    return Encoder(20, 8).eval(), [(torch.randint(0, 20, (2, 5)), torch.tensor([5, 3])),
                                   (torch.randint(0, 20, (3, 7)), torch.tensor([7, 2, 4]))]
