"""Module state: what ``forward`` changes, and whether a compiled module keeps up.

A ``forward`` that writes ``self.counter += 1`` or caches a tensor in ``self._cache`` works
in eager mode and in a scripted module, but a traced module bakes the value in at trace
time (JIT310).  ``torch.jit.trace`` also runs ``forward`` several times while checking the
trace, so state changes *during tracing itself* (JIT314).  Buffers updated in place
(BatchNorm running statistics) are recorded correctly by both compilers.

Parameters are tracked by identity and autograd version counter (``Tensor._version``,
bumped by in-place writes from Python), which costs nothing per call.  Buffers are compared
by value: kernels such as ``batch_norm`` update running statistics in place *without*
bumping the version counter, and buffers are small.  Python attributes get a small
structural fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Tuple

import torch

# nn.Module bookkeeping that is not "state" in the user's sense.
_MODULE_INTERNALS = frozenset(vars(torch.nn.Module()).keys()) | {"training", "_is_full_backward_hook"}

_SIMPLE = (int, float, bool, str, bytes, type(None), complex)
_VALUE_COMPARED_BUFFER_LIMIT = 1 << 20  # elements; larger buffers fall back to the version counter


class _TensorValue:
    """A buffer's value at snapshot time, equal to another snapshot of the same values."""

    __slots__ = ("identity", "copy")

    def __init__(self, tensor: torch.Tensor):
        self.identity = id(tensor)
        self.copy = tensor.detach().clone()

    def __eq__(self, other):
        return (isinstance(other, _TensorValue) and self.identity == other.identity
                and self.copy.shape == other.copy.shape and self.copy.dtype == other.copy.dtype
                and _same_bits(self.copy, other.copy))

    def __hash__(self):  # pragma: no cover - snapshots are compared, never hashed
        return self.identity


@dataclass(frozen=True)
class StateItem:
    name: str  # dotted path, e.g. "encoder.counter"
    kind: str  # "parameter" | "buffer" | "attribute"


def _same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Bitwise equality, so a buffer holding NaN equals itself."""
    try:
        return bool(torch.equal(a.reshape(-1).view(torch.uint8), b.reshape(-1).view(torch.uint8)))
    except RuntimeError:  # dtypes that cannot be viewed as bytes
        return bool(torch.equal(a, b))


def _fingerprint(value: Any, depth: int = 0) -> Any:
    if isinstance(value, torch.Tensor):
        return ("tensor", id(value), value._version)
    if isinstance(value, _SIMPLE):
        return ("value", type(value).__name__, value)
    if depth >= 3:
        return ("object", id(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_fingerprint(v, depth + 1) for v in value[:64]), len(value))
    if isinstance(value, dict):
        items = list(value.items())[:64]
        return ("dict", tuple((repr(k), _fingerprint(v, depth + 1)) for k, v in items), len(value))
    return ("object", id(value))


def _python_attributes(module: torch.nn.Module) -> Iterator[Tuple[str, Any]]:
    for prefix, sub in module.named_modules():
        for key, value in vars(sub).items():
            if key in _MODULE_INTERNALS or key.startswith("__"):
                continue
            if isinstance(value, torch.nn.Module):
                continue
            if callable(value) and not isinstance(value, torch.Tensor):
                continue  # functions/bound methods stored on the module are configuration
            yield (f"{prefix}.{key}" if prefix else key), value


def snapshot(module: torch.nn.Module) -> Dict[StateItem, Any]:
    """A cheap fingerprint of everything ``forward`` could change."""
    state: Dict[StateItem, Any] = {}
    for name, p in module.named_parameters():
        state[StateItem(name, "parameter")] = _fingerprint(p)
    for name, b in module.named_buffers():
        small = b.device.type != "meta" and b.numel() <= _VALUE_COMPARED_BUFFER_LIMIT
        state[StateItem(name, "buffer")] = _TensorValue(b) if small else _fingerprint(b)
    for name, value in _python_attributes(module):
        state[StateItem(name, "attribute")] = _fingerprint(value)
    return state


def changed(before: Dict[StateItem, Any], after: Dict[StateItem, Any]) -> List[StateItem]:
    items = [item for item in after if before.get(item, None) != after[item]]
    items += [item for item in before if item not in after]
    return sorted(set(items), key=lambda i: (i.kind, i.name))


def describe(items: List[StateItem]) -> List[str]:
    return [f"{i.name} ({i.kind})" for i in items]


def get_path(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def read_value(module: Any, item: StateItem) -> Tuple[bool, Any]:
    """(present, value) of ``item`` on an eager or compiled module."""
    try:
        if item.kind in ("parameter", "buffer"):
            named = dict(module.named_parameters() if item.kind == "parameter" else module.named_buffers())
            if item.name in named:
                return True, named[item.name]
            return False, None
        return True, get_path(module, item.name)
    except (AttributeError, RuntimeError):
        return False, None


@torch.no_grad()
def restore_tensors(compiled: Any, reference: torch.nn.Module) -> List[str]:
    """Copy parameter and buffer values of ``reference`` into ``compiled`` in place.

    Used after ``torch.jit.trace``: tracing ran ``forward`` on the module it was given, and
    the traced module shares those tensors, so e.g. BatchNorm running statistics already
    moved.  Restoring them lets the comparison start from the same state as eager.
    Returns the names that had changed.
    """
    restored = []
    ref = dict(reference.named_parameters())
    ref.update(dict(reference.named_buffers()))
    targets = dict(compiled.named_parameters())
    targets.update(dict(compiled.named_buffers()))
    for name, tensor in targets.items():
        source = ref.get(name)
        if source is None or source.shape != tensor.shape:
            continue
        source = source.to(tensor.device)
        if not torch.equal(source, tensor):
            tensor.copy_(source)
            restored.append(name)
    return restored


def values_equal(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        a, b = a.detach().cpu(), b.detach().cpu()
        if a.is_floating_point():
            return bool(torch.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True))
        return bool(torch.equal(a, b))
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def short_value(value: Any) -> str:
    from .compare import brief

    return brief(value)


def first_difference(compiled: Any, eager: torch.nn.Module, items: List[StateItem]) -> Optional[Tuple[StateItem, str]]:
    """The first state item (among those eager forward changed) that differs between the
    eager and the compiled module after both ran the same inputs."""
    for item in items:
        present_e, value_e = read_value(eager, item)
        present_c, value_c = read_value(compiled, item)
        if not present_e:
            continue
        if not present_c:
            return item, f"eager has {short_value(value_e)}, the compiled module does not keep this {item.kind}"
        if not values_equal(value_e, value_c):
            return item, f"eager {short_value(value_e)}, compiled {short_value(value_c)}"
    return None
