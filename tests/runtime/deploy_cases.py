"""``jitlint verify --export`` / ``--cpp`` targets for docs/verify.md and the README (the models
are in ``deploy_models.py``; a target returns ``(model, [args_tuple, ...])``)."""

import deploy_models as dm
import torch
from torch import nn


def clean():
    return dm.Clean().eval(), dm.inputs()


def branchy():
    return dm.Branchy().eval(), dm.inputs()


def size_loop():
    return dm.SizeLoop().eval(), dm.inputs()


def counter():
    return dm.Counter().eval(), dm.inputs()


class RunningMean(nn.Module):
    """A buffer updated in place by forward: torch.export keeps the update (a buffer mutation)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.zeros(8))

    def forward(self, x):
        self.mean.mul_(0.9).add_(x.mean(0) * 0.1)
        return x - self.mean


def running_mean():
    return RunningMean().eval(), dm.inputs()
