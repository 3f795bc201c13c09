"""Structural comparison of eager and compiled outputs.

"Compiles" is not "works": TorchScript can return a different *type* (an ``int`` that
became a 0-dim tensor, ``-1.0`` instead of ``2``), a tensor on another device, or a tensor
that no longer requires grad because a decorator was dropped.  So tensors are compared by
shape, dtype, device and ``requires_grad`` before values, Python scalars by exact type, and
containers element by element, each difference carrying the path to the element that
differs (``output[1]['logits']``) and, for numbers, the largest absolute difference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import torch

MAX_DIFFERENCES = 8


@dataclass
class Difference:
    path: str
    kind: str  # type | length | keys | shape | dtype | device | requires_grad | values | value
    expected: str
    actual: str
    max_abs_diff: Optional[float] = None

    def describe(self) -> str:
        if self.kind == "values":
            return f"{self.path}: values differ (expected {self.expected}, got {self.actual})"
        return f"{self.path}: {self.kind} differs (expected {self.expected}, got {self.actual})"


def brief(value: Any, limit: int = 6) -> str:
    """A short, readable rendering of a value for a report line."""
    if isinstance(value, torch.Tensor):
        meta = f"{tuple(value.shape)} {str(value.dtype).replace('torch.', '')}"
        if value.device.type != "cpu":
            meta += f" {value.device}"
        if value.device.type == "meta" or value.is_sparse or value.is_quantized:
            return f"Tensor{meta}"
        flat = value.detach().reshape(-1)
        if flat.numel() == 0:
            return f"Tensor{meta} []"
        head = [_round(v) for v in flat[:limit].cpu().tolist()]
        more = ", ..." if flat.numel() > limit else ""
        return f"Tensor{meta} [{', '.join(map(str, head))}{more}]"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(brief(v, 3) for v in list(value)[:4])
        more = ", ..." if len(value) > 4 else ""
        return ("[" + inner + more + "]") if isinstance(value, list) else ("(" + inner + more + ")")
    if isinstance(value, dict):
        items = list(value.items())[:4]
        return "{" + ", ".join(f"{k!r}: {brief(v, 3)}" for k, v in items) + ("...}" if len(value) > 4 else "}")
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _round(v):
    return round(v, 4) if isinstance(v, float) else v


def _type_name(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return "Tensor"
    return type(value).__name__


def _is_tuple_like(value: Any) -> bool:
    return isinstance(value, tuple)


class _Comparer:
    def __init__(self, rtol: float, atol: float, device_map: Optional[Dict[str, str]]):
        self.rtol = rtol
        self.atol = atol
        self.device_map = device_map or {}
        self.differences: List[Difference] = []

    def add(self, *args, **kwargs) -> None:
        if len(self.differences) < MAX_DIFFERENCES:
            self.differences.append(Difference(*args, **kwargs))

    # -- dispatch -----------------------------------------------------------------
    def compare(self, expected: Any, actual: Any, path: str) -> None:
        if isinstance(expected, torch.Tensor) or isinstance(actual, torch.Tensor):
            if not (isinstance(expected, torch.Tensor) and isinstance(actual, torch.Tensor)):
                self.add(path, "type", f"{_type_name(expected)} {brief(expected)}",
                         f"{_type_name(actual)} {brief(actual)}")
                return
            self.tensors(expected, actual, path)
        elif _is_tuple_like(expected) and _is_tuple_like(actual):
            self.sequences(expected, actual, path)
        elif isinstance(expected, list) and isinstance(actual, list):
            self.sequences(expected, actual, path)
        elif isinstance(expected, dict) and isinstance(actual, dict):
            self.dicts(expected, actual, path)
        else:
            self.scalars(expected, actual, path)

    def sequences(self, expected, actual, path: str) -> None:
        if len(expected) != len(actual):
            self.add(path, "length", f"{len(expected)} elements", f"{len(actual)} elements")
            return
        for i, (e, a) in enumerate(zip(expected, actual)):
            self.compare(e, a, f"{path}[{i}]")

    def dicts(self, expected, actual, path: str) -> None:
        if set(expected) != set(actual):
            missing = sorted(map(repr, set(expected) - set(actual)))
            extra = sorted(map(repr, set(actual) - set(expected)))
            self.add(path, "keys", "keys " + ", ".join(missing) if missing else "no more keys",
                     "extra keys " + ", ".join(extra) if extra else "missing keys")
            return
        for key in expected:
            self.compare(expected[key], actual[key], f"{path}[{key!r}]")

    def scalars(self, expected, actual, path: str) -> None:
        if type(expected) is not type(actual):
            # bool is an int subclass and -1.0 == -1; TorchScript changing the type is a
            # difference in its own right (s221: int %= returns a float)
            self.add(path, "type", f"{_type_name(expected)} {brief(expected)}", f"{_type_name(actual)} {brief(actual)}")
            return
        if isinstance(expected, float):
            if math.isnan(expected) and math.isnan(actual):
                return
            if not math.isclose(expected, actual, rel_tol=self.rtol, abs_tol=self.atol):
                diff = abs(expected - actual) if math.isfinite(expected) and math.isfinite(actual) else math.inf
                self.add(path, "value", brief(expected), brief(actual), max_abs_diff=diff)
            return
        if isinstance(expected, complex):
            if abs(expected - actual) > self.atol + self.rtol * abs(expected):
                self.add(path, "value", brief(expected), brief(actual), max_abs_diff=abs(expected - actual))
            return
        try:
            same = bool(expected == actual)
        except Exception:  # noqa: BLE001 - an object whose == raises is not comparable
            same = False
        if not same:
            diff = None
            if isinstance(expected, int) and not isinstance(expected, bool):
                diff = float(abs(expected - actual))
            self.add(path, "value", brief(expected), brief(actual), max_abs_diff=diff)

    def tensors(self, expected: torch.Tensor, actual: torch.Tensor, path: str) -> None:
        want_device = self.device_map.get(expected.device.type, expected.device.type)
        problems = False
        if tuple(expected.shape) != tuple(actual.shape):
            self.add(path, "shape", str(tuple(expected.shape)), str(tuple(actual.shape)))
            problems = True
        if expected.dtype != actual.dtype:
            self.add(path, "dtype", str(expected.dtype), str(actual.dtype))
            problems = True
        if actual.device.type != want_device:
            self.add(path, "device", want_device, str(actual.device))
            problems = True
        if expected.requires_grad != actual.requires_grad:
            self.add(path, "requires_grad", str(expected.requires_grad), str(actual.requires_grad))
        if problems or "meta" in (expected.device.type, actual.device.type):
            return
        self.values(expected, actual, path)

    def values(self, expected: torch.Tensor, actual: torch.Tensor, path: str) -> None:
        e = _plain(expected)
        a = _plain(actual)
        if e.numel() == 0:
            return
        if e.is_floating_point() or e.is_complex():
            close = torch.isclose(a, e, rtol=self.rtol, atol=self.atol, equal_nan=True)
            if bool(close.all()):
                return
            diff = _max_abs_diff(e, a)
        else:
            if torch.equal(e, a):
                return
            diff = float((e.to(torch.float64) - a.to(torch.float64)).abs().max())
        self.add(path, "values", brief(expected), brief(actual), max_abs_diff=diff)


def _plain(t: torch.Tensor) -> torch.Tensor:
    t = t.detach()
    if t.is_quantized:
        t = t.dequantize()
    if t.layout != torch.strided:
        t = t.to_dense()
    return t.cpu()


def _max_abs_diff(e: torch.Tensor, a: torch.Tensor) -> float:
    if e.is_complex():
        e, a = e.to(torch.complex128), a.to(torch.complex128)
        return float((e - a).abs().max())
    e, a = e.to(torch.float64), a.to(torch.float64)
    both_nan = torch.isnan(e) & torch.isnan(a)
    same = (e == a) | both_nan  # also equal infinities
    diff = (e - a).abs()
    diff = torch.where(same, torch.zeros_like(diff), diff)
    diff = torch.where(torch.isnan(diff), torch.full_like(diff, math.inf), diff)
    return float(diff.max())


def compare(
    expected: Any,
    actual: Any,
    *,
    rtol: float,
    atol: float,
    device_map: Optional[Dict[str, str]] = None,
    path: str = "output",
) -> List[Difference]:
    """All differences between ``expected`` (eager) and ``actual`` (compiled), at most
    ``MAX_DIFFERENCES``; an empty list means they agree."""
    comparer = _Comparer(rtol, atol, device_map)
    comparer.compare(expected, actual, path)
    return comparer.differences


def largest_difference(differences: List[Difference]) -> Optional[float]:
    values = [d.max_abs_diff for d in differences if d.max_abs_diff is not None]
    return max(values) if values else None


def detach_clone(value: Any) -> Any:
    """Freeze an output (outputs may alias module state that the next call changes).

    ``requires_grad`` is kept as an attribute of the copy so the comparison can still see it.
    """
    if isinstance(value, torch.Tensor):
        copy = value.detach().clone() if value.device.type != "meta" else value.detach()
        if value.requires_grad and (copy.is_floating_point() or copy.is_complex()):
            copy.requires_grad_(True)
        return copy
    if isinstance(value, tuple):  # namedtuples too: compared structurally, as tuples
        return tuple(detach_clone(v) for v in value)
    if isinstance(value, list):
        return [detach_clone(v) for v in value]
    if isinstance(value, dict):
        return {k: detach_clone(v) for k, v in value.items()}
    return value


def clone_args(value: Any) -> Any:
    """A fresh copy of call arguments, so a forward that writes into its inputs cannot
    change what the next call (eager or compiled) receives."""
    if isinstance(value, torch.Tensor):
        if value.device.type == "meta":
            return value
        copy = value.detach().clone()
        if value.requires_grad:
            copy.requires_grad_(True)
        return copy
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(clone_args(v) for v in value))
    if isinstance(value, tuple):
        return tuple(clone_args(v) for v in value)
    if isinstance(value, list):
        return [clone_args(v) for v in value]
    if isinstance(value, dict):
        return {k: clone_args(v) for k, v in value.items()}
    return value


def to_device(value: Any, device: str) -> Any:
    """Move the CPU tensors of ``value`` to ``device`` (tensors already elsewhere, e.g. on the
    ``meta`` device used to emulate "another device", stay where they are)."""
    if device == "cpu":
        return value
    if isinstance(value, torch.Tensor):
        return value.to(device) if value.device.type == "cpu" else value
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(to_device(v, device) for v in value))
    if isinstance(value, tuple):
        return tuple(to_device(v, device) for v in value)
    if isinstance(value, list):
        return [to_device(v, device) for v in value]
    if isinstance(value, dict):
        return {k: to_device(v, device) for k, v in value.items()}
    return value
