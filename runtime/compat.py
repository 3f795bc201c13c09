"""What differs between the torch releases jitlint supports (2.1 and later).

Only APIs present in torch 2.1 are used directly; anything newer goes through a helper
here with a fallback.  Importing this module imports torch, so the lightweight parts of
jitlint (the CLI parent, the pytest plugin) must not import it at module level.
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from typing import Iterator, List, Tuple

import torch

TORCH_VERSION = torch.__version__
TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__))
TORCH_JIT_DIR = os.path.join(TORCH_DIR, "jit")

# torch 2.11+ marks torch.jit.script/trace/save/load/... deprecated; the exact wording is
# "`torch.jit.script` is deprecated. Please switch to ..." (plus the Lite Interpreter one).
_JIT_DEPRECATION = re.compile(r"`torch\.jit\.[\w.]+` is deprecated|Lite Interpreter is deprecated")


def torch_version_tuple() -> Tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", TORCH_VERSION)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def is_jit_deprecation(warning: warnings.WarningMessage) -> bool:
    return issubclass(warning.category, (DeprecationWarning, FutureWarning)) and bool(
        _JIT_DEPRECATION.search(str(warning.message))
    )


@contextlib.contextmanager
def recorded_warnings() -> Iterator[List[warnings.WarningMessage]]:
    """Record every warning raised inside the block, including repeated ones.

    The filter change is local to the block (``catch_warnings`` restores the caller's
    filters on exit), so the user's own warning configuration is never altered.  torch's
    own ``TracerWarning.ignore_lib_warnings()`` filter is bypassed on purpose: the caller
    decides which warnings a user would have seen (see ``diagnostics.user_visible``).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def cuda_status() -> Tuple[bool, str]:
    """(usable, reason): whether CUDA checks can run here, and why not if they cannot."""
    if torch.version.cuda is None and getattr(torch.version, "hip", None) is None:
        return False, f"this torch build ({TORCH_VERSION}) has no CUDA support"
    try:
        available = torch.cuda.is_available()
    except Exception as exc:  # noqa: BLE001 - a broken driver must not fail verification
        return False, f"torch.cuda.is_available() raised {type(exc).__name__}: {exc}"
    if not available:
        return False, "torch.cuda.is_available() is False (no GPU or driver visible)"
    return True, f"CUDA device: {torch.cuda.get_device_name(0)}"


def jit_load(path: str, device: str = "cpu"):
    return torch.jit.load(path, map_location=device)


def torch_load(path: str):
    """Load a file jitlint wrote itself (inputs/outputs); ``weights_only`` exists since 1.13."""
    return torch.load(path, map_location="cpu", weights_only=False)
