"""Run rule examples through the real TorchScript compiler and tracer (test helper).

An example is a complete module written to a temporary file and imported for real, because
``torch.jit.script`` reads source code through ``inspect``. Nothing here mocks torch.
"""

from __future__ import annotations

import copy
import importlib.util
import io
import itertools
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any, List, Optional, Tuple

import torch

_counter = itertools.count()
_TMP = Path(tempfile.mkdtemp(prefix="jitlint_examples_"))


def load_example(source: str):
    name = f"jitlint_example_{next(_counter)}"
    path = _TMP / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec.loader.exec_module(module)
    return module


def instantiate(module, root: str):
    obj = getattr(module, root)
    if isinstance(obj, type) and issubclass(obj, torch.nn.Module):
        torch.manual_seed(0)
        return obj()
    return obj


def same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype or a.device != b.device:
            return False
        if a.requires_grad != b.requires_grad:
            return False
        if a.device.type == "meta":
            return True
        return bool(torch.equal(a, b)) if not a.is_floating_point() else bool(
            torch.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool)):
        return False
    return a == b


def _call(fn, args) -> Tuple[bool, Any]:
    torch.manual_seed(1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return True, fn(*copy.deepcopy(args))
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"


def script_verdict(module, root: str, inputs: List[tuple]) -> Tuple[str, str]:
    """("rejected"|"diverges"|"matches", detail) for scripting ``root`` of ``module``."""
    target = instantiate(module, root)
    eager = instantiate(module, root)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scripted = torch.jit.script(target)
    except Exception as exc:  # noqa: BLE001
        return "rejected", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    for i, args in enumerate(inputs):
        ok_e, out_e = _call(eager, args)
        ok_s, out_s = _call(scripted, args)
        if ok_e != ok_s or (ok_e and not same(out_e, out_s)):
            return "diverges", f"input {i}: eager {out_e!r} vs scripted {out_s!r}"
    return "matches", ""


def runtime_verdict(module, root: str, inputs: List[tuple]) -> Tuple[str, str]:
    """("rejected"|"diverges"|"matches", detail): "diverges" when the scripted object raises on
    one of the inputs (whatever eager Python does), for code that fails where it is deployed
    (e.g. a hard-coded CUDA device on this CPU-only machine)."""
    target = instantiate(module, root)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scripted = torch.jit.script(target)
    except Exception as exc:  # noqa: BLE001
        return "rejected", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    for i, args in enumerate(inputs):
        ok, out = _call(scripted, args)
        if not ok:
            return "diverges", f"input {i}: scripted raises {out}"
    return "matches", ""


def trace_verdict(module, root: str, inputs: List[tuple], check: Optional[str] = None) -> Tuple[str, str]:
    """("fails"|"diverges"|"matches", detail) for tracing with inputs[0], comparing on all."""
    target = instantiate(module, root)
    eager = instantiate(module, root)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            traced = torch.jit.trace(target, copy.deepcopy(inputs[0]))
    except Exception as exc:  # noqa: BLE001
        return "fails", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if check:
        wrong = getattr(module, check)(traced, lambda: instantiate(module, root))
        return ("diverges", f"{check}() says the trace is wrong") if wrong else ("matches", "")
    for i, args in enumerate(inputs):
        ok_e, out_e = _call(eager, args)
        ok_t, out_t = _call(traced, args)
        if ok_e != ok_t or (ok_e and not same(out_e, out_t)):
            return "diverges", f"input {i}: eager {out_e!r} vs traced {out_t!r}"
    return "matches", ""


def save_verdict(module, root: str) -> Tuple[str, str]:
    target = instantiate(module, root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scripted = torch.jit.script(target)
        try:
            torch.jit.save(scripted, io.BytesIO())
        except Exception as exc:  # noqa: BLE001
            return "save-fails", f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return "saves", ""


def warning_verdict(module, root: str) -> Tuple[str, str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(module, root)()
    torch_warnings = [
        w for w in caught
        if issubclass(w.category, (DeprecationWarning, FutureWarning))
        and ("torch" in str(w.filename) or "jit" in str(w.message) or "deprecated" in str(w.message).lower())
    ]
    if torch_warnings:
        return "warns", str(torch_warnings[0].message)
    return "silent", ""


def _run(fn, args) -> Tuple[bool, Any]:
    """(ok, result or exception type name) of one eager call, seeded like the compiler helpers."""
    torch.manual_seed(1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return True, fn(*copy.deepcopy(args))
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__


def eager_results(source: str, example) -> List[Tuple[bool, Any]]:
    """What eager Python gives for the example's root on each of its inputs.

    A ``warns`` example's root takes no argument and builds a compiled callable: the results
    are that callable's on the example's inputs."""
    module = load_example(source)
    inputs = eval(example.inputs, {"torch": torch, **vars(module)})  # noqa: S307 - example data
    if example.expect == "warns":
        ok, built = _run(getattr(module, example.root), ())
        if not ok or not callable(built):
            return [(ok, built)]
        return [_run(built, args) for args in inputs]
    results = []
    for args in inputs:
        try:
            target = instantiate(module, example.root)
        except Exception as exc:  # noqa: BLE001
            results.append((False, f"instantiate: {type(exc).__name__}"))
            continue
        results.append(_run(target, args))
    return results


def same_eager(before: List[Tuple[bool, Any]], after: List[Tuple[bool, Any]]) -> bool:
    if len(before) != len(after):
        return False
    for (ok_b, b), (ok_a, a) in zip(before, after):
        if ok_b != ok_a or (ok_b and not same(b, a)) or (not ok_b and a != b):
            return False
    return True


def _dynamic_shapes(args: tuple):
    """Every dim of every Tensor argument marked ``Dim.AUTO`` (the others ``None``)."""
    from torch.export import Dim

    return tuple({i: Dim.AUTO for i in range(a.dim())} if isinstance(a, torch.Tensor) else None for a in args)


def export_verdict(module, root: str, inputs: List[tuple]) -> Tuple[str, str]:
    """("fails"|"diverges"|"matches", detail) for ``torch.export.export`` (non-strict, the
    default) of the nn.Module ``root`` with inputs[0], every dim dynamic (``Dim.AUTO``), then
    the exported program and one eager instance called on every input in turn."""
    target = instantiate(module, root)
    eager = instantiate(module, root)
    example = copy.deepcopy(inputs[0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exported = torch.export.export(target, example, dynamic_shapes=_dynamic_shapes(example))
    except Exception as exc:  # noqa: BLE001
        return "fails", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    program = exported.module()
    for i, args in enumerate(inputs):
        ok_e, out_e = _call(eager, args)
        ok_x, out_x = _call(program, args)
        if ok_e != ok_x or (ok_e and not same(out_e, out_x)):
            return "diverges", f"input {i}: eager {out_e!r} vs exported {out_x!r}"
    return "matches", ""
