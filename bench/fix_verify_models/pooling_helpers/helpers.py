import torch


def masked_mean(x, mask, eps=1e-6):
    total = (x * mask.unsqueeze(-1)).sum(1)
    return total / (mask.sum(1, keepdim=True) + eps)


def scale_by(x, factor=2):
    return x * factor
