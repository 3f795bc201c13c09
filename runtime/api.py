"""``verify``: script, trace, run, compare, save and reload a model, and say what broke.

The checks follow what users actually do with TorchScript and how it goes wrong:

* **compile** ``torch.jit.script`` / ``torch.jit.trace`` (default settings, first input as
  the example).  Errors are mapped to jitlint rule codes and located in the user's source;
  user-visible ``TracerWarning``\\ s are collected with their line.
* **run** the compiled object on every input; an error where eager Python succeeds fails.
* **compare** every output with eager Python, structurally (type, shape, dtype, device,
  ``requires_grad``, values within ``rtol``/``atol``), plus the arguments the call may have
  written into.  Eager outputs come from a deep copy of the model made *before* anything was
  compiled, because ``torch.jit.trace`` runs ``forward`` several times and mutates stateful
  modules.  A divergence is explained from the evidence available: a TracerWarning at a
  line, a Python branch that went another way for that input (``control_flow``), a baked
  device, or a node of the scripted graph known to differ from Python.
* **state**: attributes, buffers and parameters ``forward`` changes must end up the same in
  the compiled module (a trace freezes ``self.counter += 1``); a module left in training mode
  is also compared after ``.eval()``.
* **save/load**: ``torch.jit.save`` right after compiling, then ``torch.jit.load`` and run in
  ONE fresh interpreter that cannot import the model's source (``isolated_load``).

CUDA runs the same checks on a GPU copy and compares with CPU eager; without a GPU the report
says why CUDA was skipped and nothing fails.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch

from .compat import TORCH_VERSION, is_jit_deprecation, recorded_warnings
from .isolated_load import DEFAULT_TIMEOUT
from .report import Report
from .verifier import (  # noqa: F401 - re-exported defaults
    CUDA_ATOL,
    CUDA_RTOL,
    DEFAULT_ATOL,
    DEFAULT_RTOL,
    DEVICES,
    MODES,
    Verifier,
)


class VerificationError(AssertionError):
    """Raised by :func:`assert_verified`; its message is the readable report."""

    def __init__(self, report: Report):
        super().__init__(report.render_text())
        self.report = report


@dataclass
class Case:
    """A verification case: what ``jitlint verify FILE.py::NAME`` expects NAME to return
    (a ``(model, inputs)`` tuple works too).  ``options`` are extra :func:`verify` keyword
    arguments, e.g. ``{"trace_kwargs": {"strict": False}}``."""

    model: Any
    inputs: Sequence[Any]
    name: Optional[str] = None
    options: Dict[str, Any] = field(default_factory=dict)


def assert_verified(target: Any, inputs: Sequence[Any] = None, **kwargs) -> Report:
    """:func:`verify` and raise :class:`VerificationError` (an ``AssertionError`` whose
    message is the text report) unless every check passed.  Accepts a :class:`Case`."""
    if isinstance(target, Case):
        kwargs = {**target.options, **kwargs}
        target, inputs = target.model, target.inputs
    report = verify(target, inputs, **kwargs)
    if not report.ok:
        raise VerificationError(report)
    return report


def verify(
    target: Any,
    inputs: Sequence[Any],
    *,
    modes: Sequence[str] = MODES,
    devices: Sequence[str] = DEVICES,
    save_load: bool = True,
    rtol: Optional[float] = None,
    atol: Optional[float] = None,
    trace_kwargs: Optional[Dict[str, Any]] = None,
    static_check: bool = True,
    seed: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Optional[Callable[[str], None]] = None,
    export: bool = False,
    cpp: bool = False,
) -> Report:
    """Verify ``target`` (an ``nn.Module`` or a function) under TorchScript.

    ``inputs`` is a list of argument tuples; the first is the trace example and every one is
    compared.  Returns a :class:`Report`; ``report.ok`` is True when every check passed and
    ``print(report)`` shows the table.  The model passed in is not modified (everything runs
    on deep copies).  ``timeout`` bounds the fresh-process load.

    ``export=True`` adds an ``export/cpu`` row: ``torch.export.export`` with the dims that differ
    between inputs marked ``Dim.AUTO``, run and compared, saved and reloaded in a fresh process
    (JIT6xx codes). ``cpp=True`` adds ``cpp:script``/``cpp:trace`` rows: each saved archive
    loaded with ``torch::jit::load`` in a C++ program built against the wheel's libtorch (once,
    cached), run on the inputs and compared; skipped with the reason when no C++ compiler exists.
    """
    if isinstance(target, Case):
        return verify(target.model, target.inputs, **{**dict(modes=modes, devices=devices, save_load=save_load,
                      rtol=rtol, atol=atol, trace_kwargs=trace_kwargs, static_check=static_check, seed=seed,
                      timeout=timeout, progress=progress, export=export, cpp=cpp), **target.options})
    modes = _check_choice("modes", modes, MODES)
    devices = _check_choice("devices", devices, DEVICES)
    args_list = normalize_inputs(inputs)
    if not (isinstance(target, torch.nn.Module) or callable(target)):
        raise TypeError(f"verify() needs an nn.Module or a function, got {type(target).__name__}")
    verifier = Verifier(
        target, args_list, modes=modes, devices=devices, save_load=save_load, rtol=rtol, atol=atol,
        trace_kwargs=dict(trace_kwargs or {}), static_check=static_check, seed=seed, timeout=timeout,
        progress=progress, export=export, cpp=cpp,
    )
    with recorded_warnings() as caught:
        verifier.caught = caught
        report = verifier.run()
    _forward_user_warnings(caught, report)
    return report


def normalize_inputs(inputs: Sequence[Any]) -> List[Tuple[Any, ...]]:
    if inputs is None or isinstance(inputs, (torch.Tensor, str, bytes)) or not hasattr(inputs, "__iter__"):
        raise TypeError("inputs must be a list of argument tuples, e.g. [(x,), (y,)]")
    out = [tuple(a) if isinstance(a, (tuple, list)) else (a,) for a in inputs]
    if not out:
        raise ValueError("inputs must contain at least one argument tuple (the first is the trace example)")
    return out


def _check_choice(name: str, values: Sequence[str], allowed: Sequence[str]) -> Tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    values = tuple(values)
    bad = [v for v in values if v not in allowed]
    if bad or not values:
        raise ValueError(f"{name} must be a non-empty subset of {allowed}, got {values}")
    return values


def _forward_user_warnings(caught, report: Report) -> None:
    """Warnings raised inside verify were recorded (so torch.jit's DeprecationWarnings stay
    hidden); the ones that are neither torch.jit deprecations nor TracerWarnings (which the
    report already lists) are re-issued under the caller's own filters."""
    deprecated = False
    for w in caught:
        if is_jit_deprecation(w):
            deprecated = True
        elif w.category.__name__ == "TracerWarning":
            continue
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    if deprecated:
        report.notes.insert(
            0,
            f"TorchScript is deprecated upstream: torch {TORCH_VERSION} emits DeprecationWarnings for "
            "torch.jit.script/trace/save/load (hidden during verify); plan a move to torch.export.",
        )
