"""Calls from compiled code to functions of the same file: the callee, how arguments bind.

What the compiler sees of a call: which ``def`` it reaches (``f(...)``, ``self.m(...)``), which
argument lands on which parameter, and whether the callee's signature comes from a type
comment. Rules about call signatures (JIT210, JIT212) ask here.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst


class Target:
    """A function called from compiled code that is defined in this file (same class for
    ``self.m(...)``), with its ``@torch.jit.ignore``/``@torch.jit.unused`` flag."""

    def __init__(self, node: cst.FunctionDef, flag: str, method: bool, label: str):
        self.node = node
        self.flag = flag
        self.method = method
        self.label = label


def signature_in_type_comment(fn: cst.FunctionDef, ctx) -> bool:
    """A signature given by a ``# type: (...) -> ...`` comment (read when nothing is annotated)."""
    params = list(fn.params.posonly_params) + list(fn.params.params) + list(fn.params.kwonly_params)
    if fn.returns is not None or any(p.annotation is not None for p in params):
        return False
    has_any = ctx.file.__dict__.get("_has_type_comment_marker")
    if has_any is None:  # once per file, not once per function
        has_any = ctx.file.__dict__["_has_type_comment_marker"] = "# type:" in ctx.file.source
    if not has_any:
        return False
    return any("# type:" in line and "# type: ignore" not in line for line in ctx.code_of(fn).splitlines())


def a_code(text: str) -> str:
    return ("an " if text[:1] in "aeiouAEIOU" else "a ") + f"`{text}`"


def bind_args(call: cst.Call, params: List[cst.Param]) -> Optional[List[Tuple[cst.Param, Optional[cst.BaseExpression]]]]:
    """(parameter, argument or None) pairs, or None when the call cannot be matched statically."""
    out = {id(p): (p, None) for p in params}
    positional = [p for p in params]
    i = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is None:
            if i >= len(positional):
                return None
            out[id(positional[i])] = (positional[i], arg.value)
            i += 1
        else:
            match = next((p for p in params if p.name.value == arg.keyword.value), None)
            if match is None:
                return None
            out[id(match)] = (match, arg.value)
    return list(out.values())
