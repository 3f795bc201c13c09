"""jitlint's runtime verifier: prove a model works under TorchScript by running it.

``verify(model, inputs)`` scripts and traces the model, runs the compiled versions next to
eager Python on every input, compares the results, checks module state, saves the compiled
model and reloads it in a fresh process that cannot import the model's source, and labels
every failure with the jitlint rule code the static checker uses.

    from jitlint.runtime import verify, assert_verified
    report = verify(model, [(x,), (x_other_shape,)])
    print(report)            # table of mode x device x check, with causes
    assert_verified(model, [(x,)])   # AssertionError with the same text on failure

``fix_and_verify(paths, ["cases.py::make_model"])`` applies jitlint's fixes to a scratch copy
of the project and keeps only those the targets prove (``jitlint fix --verify``).

The names below are loaded lazily so that importing this package (the CLI parent, the pytest
plugin) does not import torch.
"""

from typing import TYPE_CHECKING

__all__ = [
    "Case",
    "FixVerifyError",
    "FixVerifyReport",
    "Report",
    "VerificationError",
    "assert_verified",
    "fix_and_verify",
    "verify",
]

_LAZY = {
    "Case": "jitlint.runtime.api",
    "VerificationError": "jitlint.runtime.api",
    "assert_verified": "jitlint.runtime.api",
    "verify": "jitlint.runtime.api",
    "Report": "jitlint.runtime.report",
    "fix_and_verify": "jitlint.runtime.fix_verify",
    "FixVerifyReport": "jitlint.runtime.fix_verify",
    "FixVerifyError": "jitlint.runtime.fix_verify",
}

if TYPE_CHECKING:  # pragma: no cover
    from .api import Case, VerificationError, assert_verified, verify
    from .fix_verify import FixVerifyError, FixVerifyReport, fix_and_verify
    from .report import Report


def __getattr__(name):
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'jitlint.runtime' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
