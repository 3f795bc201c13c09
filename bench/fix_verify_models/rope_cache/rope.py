import torch


def rotate(x, base=10000):
    d = x.shape[-1] // 2
    freqs = torch.arange(d, dtype=torch.float32) / d
    angle = x.new_ones(d) * (1.0 / (base ** freqs))
    x1, x2 = x[..., :d], x[..., d:]
    return torch.cat([x1 * angle.cos() - x2 * angle.sin(), x1 * angle.sin() + x2 * angle.cos()], -1)
