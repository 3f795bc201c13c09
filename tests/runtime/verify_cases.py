"""Self-contained models for the runtime tests (no ground-truth checkout needed).

Each case is a small, realistic instance of one behaviour the verifier must catch or must
pass; the functions at the bottom are ``jitlint verify verify_cases.py::NAME`` targets for the
CLI tests.  Line-sensitive constructs carry a ``# MARK`` comment the tests look up.
"""

import functools
import time
from typing import List

import torch
from torch import nn

from jitlint.runtime import Case


class SmallCNN(nn.Module):
    """Supported everywhere: must verify clean in both compilers and after reloading."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Linear(8 * 4 * 4, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        return self.head(x.flatten(1))


def cnn_inputs():
    torch.manual_seed(0)
    return [(torch.randn(2, 3, 8, 8),), (torch.randn(5, 3, 8, 8),)]


def center(x):
    m = x.mean().item()  # MARK item
    return x - m


def uses_try(x: torch.Tensor) -> torch.Tensor:
    try:  # MARK try
        return x * 2
    except Exception:
        return x


class TryInForward(nn.Module):
    """forward is a root for the static linter (plain functions are only roots when something
    in the file scripts them), so this is the case the cross-check can compare."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        try:  # MARK try-forward
            return x * 2
        except Exception:
            return x


class Counter(nn.Module):
    """Python-attribute state: works scripted, frozen (and rejected by check_trace) traced."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1  # MARK counter
        return x * self.calls


class TrainingBranch(nn.Module):
    """Left in training mode: a trace keeps the training path after .eval()."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:  # MARK training
            return x * 2
        return x


class IgnoredHelper(nn.Module):
    """Runs in-process, but torch.jit.save cannot export the Python call."""

    @torch.jit.ignore
    def describe(self, x: torch.Tensor) -> torch.Tensor:
        return x * 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.describe(x) + 1


def format_score(v: float) -> str:
    return "{:.2f}".format(v)  # MARK format


class NoGradForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    @torch.no_grad()  # MARK no_grad
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(x)


def times_ten(f):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs) * 10

    return wrapper


@times_ten  # MARK wraps
def scaled(x: torch.Tensor) -> torch.Tensor:
    return x * 2


def calls_scaled(x: torch.Tensor) -> torch.Tensor:
    return scaled(x)


def _rebinds(x: torch.Tensor, flag: bool):
    y = 1
    if flag:
        y = x + 1  # MARK implicit
    return y


def calls_rebinds(x: torch.Tensor):
    return _rebinds(x, True)


def splits(x: torch.Tensor) -> List[torch.Tensor]:
    return [row * 2 for row in x.unbind(0)]


class MutatesInput(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x.add_(1)
        return x * 2


# -- CLI targets --------------------------------------------------------------------------


def clean_cnn():
    return SmallCNN().eval(), cnn_inputs()


def silent_trace():
    return Case(center, [(torch.tensor([1.0, 3.0]),), (torch.tensor([10.0, 30.0]),)], name="center")


def script_error():
    return uses_try, [(torch.ones(2),)]


def dropped_no_grad():
    return NoGradForward().eval(), [(torch.ones(2, 3, requires_grad=True),)]


def wrong_shape():
    return SmallCNN()


def raises_while_building():
    raise RuntimeError("checkpoint not found")


def hangs():
    time.sleep(600)


NOT_CALLABLE = 3
