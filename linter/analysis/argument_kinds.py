"""The schema-matching kind of a call's actual argument, where its TorchScript type is certain.

JIT150 (operator schemas) and JIT151 (same-file signatures) ask the same question of every
argument before ``schemas.match_schema``: which ``kind_fits`` kind it has (``"int"``,
``"list[tensor]"``, ...), or None where the analysis is not certain (precision first).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .typecheck.certain import confident_type
from .syntax import iter_children

_KINDS = {"int": "int", "float": "float", "bool": "bool", "str": "str", "None": "none",
          "Tensor": "tensor"}


def reads_attribute_value(expr: cst.BaseExpression) -> bool:
    """Whether ``expr`` reads an attribute's value (``self.k``, not ``self.layer(...)``): module
    attribute types come from ``__init__`` guesses, not from TorchScript's inference."""
    stack = [expr]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Call):
            stack.extend(a.value for a in n.args)
            f = n.func
            if isinstance(f, cst.Attribute):
                stack.append(f.value)  # the receiver of a method call is read
            continue
        if isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and n.value.value == "self":
            return True
        stack.extend(iter_children(n))  # the child nodes (not libcst's slow .children)
    return False


def certain_type(expr: cst.BaseExpression, ctx):
    """``confident_type`` of ``expr``, except where it reads a module attribute's value."""
    if reads_attribute_value(expr):
        return None
    return confident_type(expr, ctx)


def argument_kind(expr: cst.BaseExpression, ctx) -> Optional[str]:
    """The schema-matching kind of an actual whose TorchScript type is certain, else None."""
    if isinstance(expr, cst.ListComp):
        return "list"
    if isinstance(expr, cst.Name) and ctx.function is not None and any(
            p.name == expr.value and p.annotation is None for p in ctx.function.params):
        return None  # Tensor only by TorchScript's default: JIT201/JIT212 say it better
    c = certain_type(expr, ctx)
    if isinstance(c, tuple):
        if c[0] != "list":
            return None
        elem = _KINDS.get(c[1]) if isinstance(c[1], str) else None
        return f"list[{elem}]" if elem and elem != "none" else "list"
    if c is None and isinstance(expr, cst.List):
        return "list"
    return _KINDS.get(c)
