import torch


def decode(deltas, anchors, clip=4.0):
    wh = anchors[:, 2:] * torch.exp(deltas[:, 2:].clamp(max=clip))
    xy = anchors[:, :2] + deltas[:, :2] * anchors[:, 2:]
    return torch.cat([xy - wh / 2, xy + wh / 2], dim=1)
