"""The small type lattice of jitlint's fast local inference.

Types are plain strings and tuples (cheap, hashable, picklable):

- atoms: ``tensor``; ``size`` (a shape, ``List[int]`` in TorchScript), ``sint`` (an int taken
  from a shape, e.g. ``x.size(0)`` or ``x.dim()``), ``sbool`` (a bool computed from shapes,
  dtypes or devices); ``dtype``, ``device``; ``int``, ``float``, ``bool``, ``str``, ``none``;
  ``number`` (a Python number read out of tensor data, e.g. ``x.item()``); ``ndarray``;
- composites: ``("list", elem)``, ``("tuple", (elems...))`` (``None`` elems = unknown length),
  ``("dict", key, value)``, ``("optional", inner)``, ``("module", qualname)`` (an nn.Module
  instance), ``("modlist", qualname_or_None)``/``("moddict", ...)`` (module containers),
  ``("class", qualname)`` (an instance of a user class), ``("func", qualname)``;
- ``None`` means unknown.

The distinction between ``sint`` and ``int`` is what trace rules need: the tracer keeps
shape-derived ints symbolic through arithmetic but freezes Python numbers.
"""

from __future__ import annotations

from typing import Optional, Tuple, Union

Type = Union[str, Tuple, None]

TENSOR = "tensor"
SIZE = "size"
SINT = "sint"
SBOOL = "sbool"
DTYPE = "dtype"
DEVICE = "device"
INT = "int"
FLOAT = "float"
BOOL = "bool"
STR = "str"
NONE = "none"
NUMBER = "number"
NDARRAY = "ndarray"

PY_SCALARS = frozenset({INT, FLOAT, BOOL, STR, NUMBER})
SHAPE_DERIVED = frozenset({SIZE, SINT, SBOOL})


def kind(t: Type) -> Optional[str]:
    if t is None:
        return None
    return t if isinstance(t, str) else t[0]


def is_tensor(t: Type) -> bool:
    return t == TENSOR


def is_optional(t: Type) -> bool:
    return isinstance(t, tuple) and t[0] == "optional"


def strip_optional(t: Type) -> Type:
    return t[1] if is_optional(t) else t


def is_known_non_tensor(t: Type) -> bool:
    """True for types that are certainly not a Tensor (used for precise annotation rules)."""
    if t is None:
        return False
    k = kind(t)
    return k not in (TENSOR, "optional", "module", "class", "func") and t is not None


def list_of(elem: Type) -> Tuple:
    return ("list", elem)


def optional(inner: Type) -> Type:
    if inner is None:
        return None
    if inner == NONE or is_optional(inner):
        return inner
    return ("optional", inner)


def join(a: Type, b: Type) -> Type:
    """The type of a variable that may hold either ``a`` or ``b`` (after an if/else)."""
    if a == b:
        return a
    if a is None or b is None:
        return None
    if a == NONE:
        return optional(b)
    if b == NONE:
        return optional(a)
    if is_optional(a) and strip_optional(a) == b:
        return a
    if is_optional(b) and strip_optional(b) == a:
        return b
    ka, kb = kind(a), kind(b)
    if ka == kb == "list":
        return ("list", join(a[1], b[1]))  # still a list, whatever its elements
    if {ka, kb} <= {SINT, INT}:
        return SINT
    if {ka, kb} <= {SBOOL, BOOL}:
        return SBOOL
    if {ka, kb} <= {INT, FLOAT, NUMBER, SINT}:
        return NUMBER if NUMBER in (ka, kb) else FLOAT
    return None


def describe(t: Type) -> str:
    """A user-facing TorchScript-ish spelling of a type."""
    if t is None:
        return "unknown"
    k = kind(t)
    names = {
        TENSOR: "Tensor", SIZE: "List[int]", SINT: "int", SBOOL: "bool", DTYPE: "dtype",
        DEVICE: "Device", INT: "int", FLOAT: "float", BOOL: "bool", STR: "str",
        NONE: "None", NUMBER: "number", NDARRAY: "numpy.ndarray",
    }
    if k in names:
        return names[k]
    if k == "list":
        return f"List[{describe(t[1])}]"
    if k == "tuple":
        return "Tuple[" + ", ".join(describe(e) for e in t[1]) + "]" if t[1] is not None else "tuple"
    if k == "dict":
        return f"Dict[{describe(t[1])}, {describe(t[2])}]"
    if k == "optional":
        return f"Optional[{describe(t[1])}]"
    if k in ("module", "class", "func"):
        return str(t[1]).rsplit(".", 1)[-1]
    if k in ("modlist", "moddict"):
        return {"modlist": "nn.ModuleList", "moddict": "nn.ModuleDict"}[k]
    return str(k)
