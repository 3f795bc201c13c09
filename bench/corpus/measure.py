"""The child side of ``build_ground_truth.py``: measure ONE model and write its record.

Runs in its own interpreter (the parent kills it at the timeout).  Stages, each written to
the record file as soon as it is done: build -> classes -> inputs (eager A/B, and C where
the model takes one) -> script -> trace -> trace-meta (the device check).  Everything runs in eval mode and, for running and tracing, under ``torch.no_grad()``
(inference, which is what TorchScript models are exported for; it also keeps the grad-mode
dependent ``nn.MultiheadAttention`` fast path the same in eager and traced runs).

Eager reference outputs are computed first, before anything is compiled, and eager A is run
twice: a model whose two eager runs differ cannot be held to a compiled comparison (the
record says ``eager_nondeterministic``).  The compiled modules share the model's
parameters; nothing here trains, so they stay the same.

From ``jitlint.runtime`` this uses the pieces that fit a batch measurement: ``rule_map``
(message -> rule code), ``diagnostics`` (first line, key lines, the user location of an
error, TracerWarning text) and ``compare`` (structural comparison).  ``verify()`` itself is
not used: it always compares every input against the first-input trace with the default
``check_trace`` only, and adds a fresh-process save/load per model, which this benchmark
does not need (and could not afford for 200 models).

The device check (``trace.meta``) follows the catalog's emulation of a second device on a
CPU-only machine (``../shared/ground-truth/CATALOG.md``, t013/t015/t045): the trace made
on CPU is run with its parameters and buffers moved to the ``meta`` device and input B moved
there too, next to a deep copy of the eager model moved with ``.to("meta")``.  Eager on meta
returns meta tensors; a trace that baked the trace-time device returns CPU tensors or raises
"Tensor on device cpu is not on the expected device meta".  ``traced.to("meta")`` itself is
refused by ``nn.Module._apply`` for a ScriptModule (its parameters are not ``Parameter``
objects when the tensor type changes), so the slots are replaced one by one; tensor
*constants* the tracer recorded in the graph stay where they were made, which is the point.
"""

from __future__ import annotations

import copy
import gc
import inspect
import json
import os
import re
import sys
import sysconfig
import time
import traceback
import warnings
from typing import Any, Dict, List, Optional, Tuple

import torch

from jitlint.runtime import compare as cmp
from jitlint.runtime import diagnostics, rule_map
from jitlint.runtime.compat import TORCH_DIR, is_jit_deprecation

import zoo

SITE = sysconfig.get_paths()["purelib"]
LIBRARY_DIRS = tuple(os.path.join(SITE, lib) + os.sep for lib in zoo.LIBRARIES)
MESSAGE_LIMIT = 500
MAX_WARNINGS = 40
MAX_LOCATIONS = 30
RTOL = 1e-4
ATOL = 1e-4
_FILE_LINE = re.compile(r'File "([^"]+)", line (\d+)')
# A device error of the trace on meta where eager works: a baked device mixed with the meta
# input ("Tensor on device cpu is not on the expected device meta"), or a baked
# ``.to(<trace-time device>)`` applied to a meta tensor ("Cannot copy out of meta tensor; no
# data!", e.g. ``mask.to(device=cache_position.device)`` recorded as ``aten::to(mask, "cpu")``).
_DEVICE_ERROR = re.compile(r"is not on the expected device|same device|copy out of meta tensor|"
                           r"\bdevice\b.*\b(cpu|meta)\b|\b(cpu|meta)\b.*\bdevice\b", re.IGNORECASE)
# ... and not a limitation of the meta device (data-dependent ops, kernels without a meta
# implementation), which says nothing about devices
_META_LIMIT = re.compile(r"cannot be called on meta tensors|NotImplementedError|fake impl|"
                         r"Could not run '.*' with arguments from the 'Meta' backend", re.IGNORECASE)
_CHAIN = "is being compiled since it was called from"
# a traced graph's run-time error quotes the Python lines its ops were recorded at,
# innermost first: "/path/file.py(846): function"
_GRAPH_FRAME = re.compile(r"^\s*(/\S+\.py)\((\d+)\): (\S+)\s*$")
_GRAPH_SKIP = os.path.join("torch", "nn", "modules", "module.py")  # the call wrappers
_GRAPH_END = os.path.join("torch", "jit", "_trace.py")  # the tracer's call: the harness follows


def child_entry(library: str, name: str, out: str, threads: int, stderr_path: str) -> None:
    """Process target: stderr to a file (its tail explains a crash), then measure."""
    fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # model code prints; the parent's progress lines stay readable
    os.close(devnull)
    measure_child(library, name, out, threads)


def measure_child(library: str, name: str, out: str, threads: int = 1) -> None:
    torch.set_num_threads(threads)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    case = next(c for c in zoo.cases(library) if c.name == name)
    record: Dict[str, Any] = {"library": library, "name": name, "notes": case.notes}
    m = _Measurement(case, record, out)
    m.run()


class _Measurement:
    def __init__(self, case: zoo.Case, record: Dict[str, Any], out: str):
        self.case = case
        self.record = record
        self.out = out

    def stage(self, name: str) -> None:
        self.record["stage"] = name
        self.write()

    def write(self) -> None:
        tmp = self.out + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(self.record, fh)
        os.replace(tmp, self.out)

    def run(self) -> None:
        self.stage("build")
        started = time.monotonic()
        try:
            torch.manual_seed(0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = self.case.build()
            model.eval()
        except Exception as exc:  # noqa: BLE001 - a model that cannot be built is a result
            self.record["build"] = {"status": "error", "error": _error(exc, None, None, None)}
            self.stage("done")
            return
        self.record["build"] = {"status": "ok", "seconds": _since(started),
                                "parameters": sum(p.numel() for p in model.parameters())}
        self.record.update(_classes(model))
        self.stage("inputs")
        if not self.pick_inputs(model):
            self.stage("done")
            return
        self.stage("script")
        self.script(model)
        gc.collect()
        self.stage("trace")
        traced = self.trace(model)
        if traced is not None:
            self.stage("trace-meta")
            self.record["trace"]["meta"] = self.meta_check(model, traced)
        self.stage("done")

    # -- eager ------------------------------------------------------------------------
    def pick_inputs(self, model) -> bool:
        """The first A candidate and the first B candidate eager accepts (see zoo.py)."""
        started = time.monotonic()
        picked = {}
        for key, candidates, seed in (("A", self.case.a, 1), ("B", self.case.b, 2)):
            last_error = None
            for make in candidates:
                torch.manual_seed(seed)
                call = make()
                try:
                    out = _run(model, call)
                except Exception as exc:  # noqa: BLE001 - try the next size
                    last_error = exc
                    continue
                picked[key] = (call, _freeze(out))
                break
            if key not in picked:
                self.record["inputs"] = {"status": "error", "failed": key,
                                         "error": _error(last_error, "run", None, model),
                                         **{k: _describe_call(v[0]) for k, v in picked.items()}}
                return False
        self.call_a, self.eager_a = picked["A"]
        self.call_b, self.eager_b = picked["B"]
        info: Dict[str, Any] = {"status": "ok", "A": _describe_call(self.call_a), "B": _describe_call(self.call_b),
                                "output": _describe_value(self.eager_a)}
        # C (optional): the first candidate eager accepts; a model that takes none has no C
        self.call_c = self.eager_c = None
        last_error = None
        for make in self.case.c:
            torch.manual_seed(3)
            call = make()
            try:
                out = _run(model, call)
            except Exception as exc:  # noqa: BLE001 - try the next size
                last_error = exc
                continue
            self.call_c, self.eager_c = call, _freeze(out)
            break
        if self.call_c is not None:
            info["C"] = _describe_call(self.call_c)
            info["C_status"] = "ok"
        elif not self.case.c:
            info["C_status"] = "no candidates"
        else:
            info["C_status"] = "not accepted"
            info["C_error"] = _error(last_error, "run", None, model)
        info["seconds"] = _since(started)
        again = _freeze(_run(model, self.call_a))
        diffs = cmp.compare(_plain(self.eager_a), _plain(again), rtol=RTOL, atol=ATOL)
        if diffs:
            info["eager_nondeterministic"] = {"max_abs_diff": cmp.largest_difference(diffs),
                                              "differences": [_trim(d.describe(), 200) for d in diffs[:3]]}
        self.record["inputs"] = info
        return True

    # -- script -----------------------------------------------------------------------
    def script(self, model) -> None:
        started = time.monotonic()
        result: Dict[str, Any] = {}
        self.record["script"] = result
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                scripted = torch.jit.script(model)
            except Exception as exc:  # noqa: BLE001 - the rejection is the measurement
                result.update(status="error", error=_error(exc, "script", rule_map.COMPILE, model),
                              seconds=_since(started))
                result["warnings"] = _warnings(caught, "script")
                return
        result.update(status="ok", seconds=_since(started))
        result["warnings"] = _warnings(caught, "script")
        self.write()
        runs = [self.compare(scripted, "script", "A", self.call_a, self.eager_a, model),
                self.compare(scripted, "script", "B", self.call_b, self.eager_b, model)]
        result["runs"] = runs
        result["verdict"] = _overall(runs)

    # -- trace ------------------------------------------------------------------------
    def trace(self, model) -> None:
        """Default settings first; when they raise, ``check_trace=False`` as well (the sanity
        check re-runs the model and fails on graphs that differ, which users then switch
        off).  ``strict=False`` whenever the output holds a dict (the tracer refuses dict
        outputs otherwise)."""
        result: Dict[str, Any] = {"attempts": []}
        self.record["trace"] = result
        base = {"strict": False} if _has_dict(self.eager_a) else {}
        traced = None
        for extra in ({}, {"check_trace": False}):
            kwargs = {**base, **extra}
            attempt: Dict[str, Any] = {"kwargs": kwargs}
            result["attempts"].append(attempt)
            started = time.monotonic()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    traced = _trace(model, self.call_a, kwargs)
                    attempt["status"] = "ok"
                except Exception as exc:  # noqa: BLE001
                    attempt.update(status="error", error=_error(exc, "trace", rule_map.COMPILE, model))
            attempt["seconds"] = _since(started)
            attempt["warnings"] = _warnings(caught, "trace")
            self.write()
            if traced is not None:
                break
        result["status"] = "ok" if result["attempts"][0]["status"] == "ok" else (
            "ok_without_check_trace" if traced is not None else "error")
        if traced is None:
            return None
        runs = [self.compare(traced, "trace", "A", self.call_a, self.eager_a, model),
                self.compare(traced, "trace", "B", self.call_b, self.eager_b, model)]
        result["runs"] = runs
        # the question is whether the trace generalises: B's verdict (the original
        # measurement) and C's, and the overall one over every input
        result["verdict_B"] = runs[1]["verdict"]
        result["verdict"] = runs[1]["verdict"]
        self.write()
        if self.call_c is not None:
            runs.append(self.compare(traced, "trace", "C", self.call_c, self.eager_c, model))
            result["verdict_C"] = runs[2]["verdict"]
        result["verdict"] = _overall(runs)
        return traced

    # -- device check -------------------------------------------------------------------
    def meta_check(self, model, traced) -> Dict[str, Any]:
        """Eager and traced on an input on the ``meta`` device (see the module docstring).

        Input B, unless the trace already raised on B on CPU (a shape problem that would
        hide the device question): then input A, the trace's own shapes."""
        started = time.monotonic()
        runs = {r["input"]: r for r in self.record["trace"].get("runs", [])}
        key, call = "B", self.call_b
        if runs.get("B", {}).get("verdict") == "raises":
            key, call = "A", self.call_a
        result: Dict[str, Any] = {"input": key}
        meta_call = cmp.to_device(cmp.clone_args(call), "meta")
        try:
            try:
                eager_model = copy.deepcopy(model)
            except Exception as exc:  # noqa: BLE001 - then the model itself (nothing runs after this)
                eager_model = model
                result["eager_model"] = f"moved in place (deepcopy failed: {type(exc).__name__})"
            eager_model.to("meta")
            eager = _freeze(_run(eager_model, meta_call))
            result["eager"] = "ok"
            result["eager_devices"] = _devices(eager)
        except Exception as exc:  # noqa: BLE001 - meta cannot run everything (data-dependent code)
            eager = None
            result["eager"] = "error"
            result["eager_error"] = _error(exc, "run", None, model)
        finally:
            eager_model = None
            gc.collect()
        try:
            _script_module_to(traced, "meta")
            actual = _freeze(_run(traced, cmp.to_device(cmp.clone_args(call), "meta")))
        except Exception as exc:  # noqa: BLE001
            actual = None
            result["traced"] = "error"
            result["traced_error"] = _error(exc, "trace", rule_map.RUN, model)
        if actual is not None:
            result["traced_devices"] = _devices(actual)
            if eager is not None:
                diffs = cmp.compare(_plain(eager), _plain(actual), rtol=RTOL, atol=ATOL)
                wrong = [d for d in diffs if d.kind == "device"]
                other = [d for d in diffs if d.kind != "device"]
                result["traced"] = "wrong-device" if wrong else "ok"
                if wrong:
                    result["differences"] = [_trim(d.describe(), 200) for d in wrong[:4]]
                if other:  # shapes/dtypes/structure: not the device question, kept for the record
                    result["other_differences"] = [_trim(d.describe(), 200) for d in other[:4]]
            else:  # no eager reference: every tensor leaf should follow the input to meta
                result["traced"] = "ok" if set(result["traced_devices"]) <= {"meta"} else "wrong-device"
        # the verdict
        if eager is None:
            result["verdict"] = "not-measurable"
            result["detail"] = "eager fails on meta: " + result["eager_error"]["message"][:200]
        elif result["traced"] == "wrong-device":
            result["verdict"] = "device-baked"
            result["detail"] = "traced outputs on " + _device_text(result["traced_devices"]) \
                + " where eager's are on " + _device_text(result["eager_devices"])
        elif result["traced"] == "error":
            message = result["traced_error"]["message"]
            lines = " | ".join([message, *result["traced_error"].get("detail", [])])
            if _DEVICE_ERROR.search(lines) and not _META_LIMIT.search(message):
                result["verdict"] = "device-baked"
                result["detail"] = "traced raises a device error where eager works: " + message[:200]
            else:  # e.g. aten::Int/item of a traced size tensor: meta cannot run it, no device question answered
                result["verdict"] = "not-measurable"
                result["detail"] = "traced raises a non-device error on meta where eager works: " + message[:200]
        else:
            result["verdict"] = "device-agnostic"
            result["detail"] = "traced outputs follow the input to meta like eager's"
        result["seconds"] = _since(started)
        return result

    # -- compare ----------------------------------------------------------------------
    def compare(self, compiled, mode: str, key: str, call, expected, model) -> Dict[str, Any]:
        started = time.monotonic()
        entry: Dict[str, Any] = {"input": key}
        try:
            actual = _freeze(_run(compiled, call))
        except Exception as exc:  # noqa: BLE001
            entry.update(verdict="raises", error=_error(exc, mode, rule_map.RUN, model), seconds=_since(started))
            return entry
        actual, adapter = _adapt(expected, actual, mode)
        if adapter:
            entry["adapter"] = adapter
        diffs = cmp.compare(_plain(expected), _plain(actual), rtol=RTOL, atol=ATOL)
        if diffs:
            entry.update(verdict="differs", max_abs_diff=cmp.largest_difference(diffs),
                         differences=[_trim(d.describe(), 240) for d in diffs[:4]])
        else:
            entry["verdict"] = "matches"
        entry["seconds"] = _since(started)
        return entry


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _run(fn, call):
    args, kwargs = cmp.clone_args(call)
    with torch.no_grad():
        return fn(*args, **kwargs)


def _script_module_to(module, device: str) -> None:
    """Move a ScriptModule's parameters and buffers (``module.to("meta")`` is refused: its
    parameter slots are not ``Parameter`` objects, which ``_apply`` needs when the tensor type
    changes).  Replacing the slots leaves the eager model's tensors alone."""
    for sub in module.modules():
        for slots in (sub._parameters, sub._buffers):
            for name, value in list(slots.items()):
                if isinstance(value, torch.Tensor):
                    slots[name] = value.to(device)


def _devices(value) -> Dict[str, int]:
    """Device type -> number of tensor leaves."""
    counts: Dict[str, int] = {}

    def walk(v):
        if isinstance(v, torch.Tensor):
            counts[v.device.type] = counts.get(v.device.type, 0) + 1
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk(_plain(value))
    return counts


def _device_text(counts: Dict[str, int]) -> str:
    return ", ".join(f"{k} x{n}" for k, n in sorted(counts.items())) or "no tensors"


def _trace(model, call, kwargs):
    args, kw = cmp.clone_args(call)
    with torch.no_grad():
        if kw:
            return torch.jit.trace(model, example_kwarg_inputs=kw, **kwargs)
        return torch.jit.trace(model, args, **kwargs)


def _freeze(value):
    return cmp.detach_clone(_plain(value))


def _plain(value):
    """Plain containers for comparison: ModelOutput and other dict subclasses -> dict,
    dataclasses -> dict of fields, namedtuples -> tuple (tensor leaves are what matter)."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__
                if getattr(value, k, None) is not None}
    return value


def _adapt(expected, actual, mode: str) -> Tuple[Any, Optional[str]]:
    """Output shapes torchvision changes *by design* under ``torch.jit.script`` (with a
    warning): detection models return ``(losses, detections)``, GoogLeNet/Inception a
    namedtuple ``(logits, aux_logits...)``.  Compare the part that corresponds to eager's
    output, and say so in the record."""
    if mode != "script" or not isinstance(actual, tuple):
        return actual, None
    if isinstance(expected, list) and len(actual) == 2 and isinstance(actual[0], dict):
        return actual[1], "scripted detection model returns (losses, detections): compared detections"
    if isinstance(expected, torch.Tensor) and actual and isinstance(actual[0], torch.Tensor):
        return actual[0], f"scripted model returns a {len(actual)}-tuple (e.g. GoogLeNetOutputs): compared [0]"
    return actual, None


def _has_dict(value) -> bool:
    if isinstance(value, dict):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_dict(v) for v in value)
    return False


def _overall(runs: List[Dict[str, Any]]) -> str:
    verdicts = [r["verdict"] for r in runs]
    for v in ("raises", "differs"):
        if v in verdicts:
            return v
    return "matches"


def _rel(path: Optional[str]) -> Optional[str]:
    if not path:
        return path
    path = os.path.abspath(path) if os.path.exists(path) else path
    if path.startswith(SITE + os.sep):
        return os.path.relpath(path, SITE)
    return path


def _where(path: str) -> str:
    full = os.path.abspath(path) if os.path.exists(path) else path
    if full.startswith(LIBRARY_DIRS):
        return "library"
    if full.startswith(TORCH_DIR + os.sep):
        return "torch"
    return "other"


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _source(cls: type) -> Optional[str]:
    try:
        return _rel(inspect.getsourcefile(cls))
    except (TypeError, OSError):
        return None


def _classes(model: torch.nn.Module) -> Dict[str, Any]:
    counts: Dict[type, int] = {}
    for sub in model.modules():
        counts[type(sub)] = counts.get(type(sub), 0) + 1
    top = type(model)
    return {
        "model": {"class": _qualname(top), "file": _source(top)},
        "classes": [{"class": _qualname(c), "file": _source(c), "count": n}
                    for c, n in sorted(counts.items(), key=lambda kv: _qualname(kv[0]))],
    }


_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
# an overload's signature, which TorchScript prints before saying what did not match it
_SIGNATURE = re.compile(r"^[\w.:]+\(.*\)\s*->.*:$")


def _trim(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Shorten, and drop object addresses (``<function f at 0x7f...>``) so that reruns
    produce the same text."""
    text = _ADDRESS.sub("0x...", str(text))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _headline(first: str, keys: List[str]) -> Optional[str]:
    """The line that says what is wrong, when the first line does not: "Arguments for call
    are not valid" and mismatched overloads start with a signature or a generic sentence;
    the "Expected a value of type ..." line names the actual problem."""
    if _SIGNATURE.match(first) or first.startswith("Arguments for call are not valid"):
        for line in keys:
            if line.startswith("Expected"):
                return line
    return None


def _error(exc: Optional[BaseException], mode: Optional[str], phase: Optional[str], model) -> Dict[str, Any]:
    """Type, first line, every quoted ``File "...", line N``, the compile chain, the rule."""
    if exc is None:
        return {"type": None, "message": "no candidate input"}
    message = str(exc)
    if phase == rule_map.RUN:
        lines = diagnostics.runtime_error_lines(message, 2)
        first = lines[0] if lines else diagnostics.first_line(message)
    else:
        first = diagnostics.first_line(message)
    if not first:
        first = repr(exc)
    locations = []
    for path, line in _FILE_LINE.findall(message):
        loc = f"{_rel(path)}:{line}"
        if loc not in locations:
            locations.append(loc)
    record: Dict[str, Any] = {"type": type(exc).__name__, "message": _trim(first)}
    keys = [k for k in diagnostics.key_lines(message, 6) if k != first and _CHAIN not in k]
    headline = _headline(first, keys)
    if headline:
        record["headline"] = _trim(headline, 240)
    if keys:
        record["detail"] = [_trim(k, 240) for k in keys[:3]]
    if locations:
        record["first_location"] = locations[0]
        record["locations"] = locations[:MAX_LOCATIONS]
    chain = [line.strip() for line in message.splitlines() if _CHAIN in line]
    if chain:
        record["chain"] = [_trim(c, 240) for c in chain[:MAX_LOCATIONS]]
    located = diagnostics.locate(message)
    src = None
    if located.location is not None:
        record["user_location"] = f"{_rel(located.location.file)}:{located.location.line}"
        record["located"] = located.how
        src = located.location.text
    if mode is None:  # build errors: where in Python it was raised
        frames = traceback.extract_tb(exc.__traceback__)
        if frames:
            record["raised_at"] = f"{_rel(frames[-1].filename)}:{frames[-1].lineno}"
        return record
    if mode == "trace" and phase == rule_map.RUN:
        frames = _graph_frames(message)
        if frames:
            record["graph_frames"] = frames[:6]
            outside = [f for f in frames if not f.startswith("torch/")]
            if outside:
                record["graph_location"] = outside[0]
    match = rule_map.classify(message, source_line=src, phase=phase, mode=mode)
    match = rule_map.refine_with_target(match, message, model)
    if match is not None:
        record["rule"] = match.code
        if match.weak:
            record["rule_weak"] = True
    return record


def _graph_frames(message: str) -> List[str]:
    """The "Traceback of TorchScript" frames of a traced graph's run-time error: where the
    failing op was recorded, innermost first (not necessarily where a baked device or size
    came from), up to the tracer's own frames, without ``Module.__call__`` wrappers."""
    text = str(message)
    if "Traceback of TorchScript" not in text:
        return []
    frames = []
    for line in text.split("Traceback of TorchScript", 1)[1].splitlines()[1:]:
        found = _GRAPH_FRAME.match(line)
        if not found:
            if frames:
                break
            continue
        path = found.group(1)
        if path.endswith(_GRAPH_END):
            break
        if path.endswith(_GRAPH_SKIP):
            continue
        frame = f"{_rel(path)}:{found.group(2)} {found.group(3)}"
        if frame not in frames:
            frames.append(frame)
    return frames


def _warnings(caught, mode: str) -> List[Dict[str, Any]]:
    """TracerWarnings and other warnings raised while compiling, deduplicated, library files
    first (those are what jitlint should flag statically).  Counted, with file:line."""
    seen: Dict[Tuple[str, str, str, int], Dict[str, Any]] = {}
    for w in caught:
        if issubclass(w.category, DeprecationWarning) or is_jit_deprecation(w):
            continue
        record = diagnostics.warning_records([w])[0]
        key = (record.category, record.message, record.file, record.line)
        if key in seen:
            seen[key]["count"] += 1
            continue
        entry = {"category": record.category, "message": _trim(record.message, 240),
                 "location": f"{_rel(record.file)}:{record.line}", "where": _where(record.file), "count": 1}
        if record.category == "TracerWarning":
            line = diagnostics.source_line(record.file, record.line)
            match = rule_map.classify(record.message, source_line=line, phase=rule_map.WARNING, mode=mode)
            if match is not None:
                entry["rule"] = match.code
        seen[key] = entry
    order = {"library": 0, "other": 1, "torch": 2}
    entries = sorted(seen.values(), key=lambda e: order[e["where"]])
    if len(entries) > MAX_WARNINGS:
        entries = entries[:MAX_WARNINGS] + [{"category": "...", "message": f"{len(entries) - MAX_WARNINGS} more",
                                             "location": None, "where": None, "count": 0}]
    return entries


def _describe_value(value, depth: int = 0) -> Any:
    if isinstance(value, torch.Tensor):
        return f"{str(value.dtype).replace('torch.', '')}{list(value.shape)}"
    if depth > 2:
        return type(value).__name__
    if isinstance(value, dict):
        items = list(value.items())
        out = {str(k): _describe_value(v, depth + 1) for k, v in items[:8]}
        if len(items) > 8:
            out["..."] = f"{len(items) - 8} more"
        return out
    if isinstance(value, (list, tuple)):
        out = [_describe_value(v, depth + 1) for v in list(value)[:4]]
        if len(value) > 4:
            out.append(f"... {len(value) - 4} more")
        return out
    return repr(value)[:80]


def _describe_call(call) -> Dict[str, Any]:
    args, kwargs = call
    out: Dict[str, Any] = {}
    if args:
        out["args"] = _describe_value(list(args))
    if kwargs:
        out["kwargs"] = _describe_value(kwargs)
    return out


def _since(started: float) -> float:
    return round(time.monotonic() - started, 2)


if __name__ == "__main__":  # pragma: no cover - used through build_ground_truth.py
    sys.exit("run bench/corpus/build_ground_truth.py")
