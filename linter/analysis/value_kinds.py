"""What a value is known to be without full inference: default kinds, empty containers, non-Tensors."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .typecheck.lattice import BOOL, DEVICE, DTYPE, FLOAT, INT, NONE, NUMBER, SBOOL, SINT, SIZE, STR, kind

_VALUE_KINDS = {"int": INT, "float": FLOAT, "str": STR, "bool": BOOL, "tuple": "tuple", "dtype": DTYPE,
                "complex": "complex"}


def _is_bytes(node: cst.BaseExpression) -> bool:
    while isinstance(node, cst.ConcatenatedString):
        node = node.left
    return isinstance(node, cst.SimpleString) and "b" in node.prefix.lower()


def default_kind(node: cst.BaseExpression, ctx) -> Optional[str]:
    """The Python type of a default value when it is known not to be a Tensor or None."""
    if isinstance(node, cst.Imaginary):
        return "complex"
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        return "bytes" if _is_bytes(node) else STR
    if isinstance(node, cst.Name) and node.value not in ("True", "False", "None"):
        if ctx.infer is not None and node.value in ctx.infer.locals:
            return None
        binding = ctx.names.value_kind(node.value)
        return _VALUE_KINDS.get(binding.target) if binding is not None else None
    t = ctx.type_of(node)
    if t in (INT, FLOAT, BOOL, STR, DTYPE, DEVICE):
        return t
    if kind(t) == "tuple":
        return "tuple"
    return None


# Element types that are certainly not a Tensor (an empty [] is a List[Tensor], {} a Dict[str, Tensor]).
_NOT_TENSOR = frozenset({INT, FLOAT, BOOL, STR, SINT, SBOOL, NUMBER, SIZE, DTYPE, DEVICE, NONE})


_NOT_TENSOR_KINDS = frozenset({"list", "tuple", "dict", "optional"})


def not_tensor(t) -> bool:
    return t in _NOT_TENSOR or kind(t) in _NOT_TENSOR_KINDS


def empty_container(value: cst.BaseExpression, ctx) -> Optional[str]:
    """"list"/"dict" for ``[]``, ``{}``, ``list()``, ``dict()``."""
    if isinstance(value, cst.List) and not value.elements:
        return "list"
    if isinstance(value, cst.Dict) and not value.elements:
        return "dict"
    if isinstance(value, cst.Call) and not value.args and isinstance(value.func, cst.Name):
        qual = ctx.resolve(value.func)
        if qual in ("builtins.list", "builtins.dict"):
            return qual[9:]
    return None
