"""jitlint's pytest plugin (entry point ``pytest11``): verify TorchScript models in tests.

pytest loads this module in every session of everyone who installs jitlint, so it imports
nothing heavy at import time: torch and ``jitlint.runtime.api`` are imported inside the
fixtures, only by tests that use them.

Provided:

``jit_verify`` fixture
    ``jit_verify(model, inputs, **verify_kwargs)`` runs :func:`jitlint.runtime.verify` and
    fails the test with the readable report (no traceback noise) unless every check passed;
    returns the :class:`~jitlint.runtime.report.Report` otherwise.

``jit_fix_verify`` fixture
    ``jit_fix_verify(paths, targets, **fix_and_verify_kwargs)`` runs
    :func:`jitlint.runtime.fix_and_verify` (nothing is written unless ``write=True``) and
    fails the test with its report when verification dropped a fix or a target got worse;
    returns the :class:`~jitlint.runtime.fix_verify.FixVerifyReport` otherwise.

``jit_device`` fixture and :func:`device_params`
    ``"cpu"`` and ``"cuda"``; the CUDA case carries the ``jitlint_cuda`` marker and is skipped
    with the reason (no CUDA build / no device) when no GPU is usable.  Use the fixture, or
    ``@pytest.mark.parametrize("device", device_params())`` directly.

``@pytest.mark.jitlint_cuda``
    Skip any test cleanly when CUDA is not usable.
"""

from __future__ import annotations

from typing import Iterable, List

import pytest

CUDA_MARKER = "jitlint_cuda"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"{CUDA_MARKER}: needs a CUDA device; skipped with the reason when none is usable (jitlint)"
    )


def cuda_unavailable_reason():
    """None when CUDA checks can run, else why not (imports torch lazily)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return "torch is not installed"
    from ..runtime.compat import cuda_status

    usable, reason = cuda_status()
    return None if usable else reason


def pytest_runtest_setup(item):
    if item.get_closest_marker(CUDA_MARKER) is not None:
        reason = cuda_unavailable_reason()
        if reason:
            pytest.skip(f"CUDA not available: {reason}")


def device_params(devices: Iterable[str] = ("cpu", "cuda")) -> List:
    """``pytest.param`` objects for a device parametrization; ``cuda`` skips without a GPU."""
    params = []
    for device in devices:
        marks = [getattr(pytest.mark, CUDA_MARKER)] if device == "cuda" else []
        params.append(pytest.param(device, id=device, marks=marks))
    return params


@pytest.fixture(params=device_params())
def jit_device(request):
    """``"cpu"``, then ``"cuda"`` (skipped cleanly when no GPU is usable)."""
    return request.param


@pytest.fixture
def jit_verify():
    """``jit_verify(model, inputs, **verify_kwargs) -> Report``; fails the test with the
    report text when a check fails."""

    def _verify(target, inputs=None, **kwargs):
        from ..runtime.api import Case, verify

        if isinstance(target, Case):
            kwargs = {**target.options, **kwargs}
            target, inputs = target.model, target.inputs
        report = verify(target, inputs, **kwargs)
        if not report.ok:
            pytest.fail(report.render_text(), pytrace=False)
        return report

    return _verify


@pytest.fixture
def jit_fix_verify():
    """``jit_fix_verify(paths, targets, **kwargs) -> FixVerifyReport``; fails the test with the
    report text when a fix was dropped by verification or a target got worse."""

    def _fix_verify(paths, targets, **kwargs):
        from ..runtime.fix_verify import fix_and_verify

        report = fix_and_verify(paths, targets, **kwargs)
        if not report.ok:
            pytest.fail(report.render_text(), pytrace=False)
        return report

    return _fix_verify
