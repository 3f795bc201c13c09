from typing import Dict, List, Optional

import libcst as cst

from ..analysis import schemas
from ..analysis.argument_kinds import argument_kind, certain_type
from .base import Example, Rule

# Namespaces whose builtin names the frontend emits as operator calls matched against the
# schemas (torch.jit's entries are special forms or Python code; math/cmath/warnings are left
# to other rules).
_NAMESPACES = ("torch", "torch.nn.functional", "torch.functional", "torch.linalg", "torch.fft",
               "torch.special", "torch.nn.init")

# Keywords JIT145 already reports with a precise fix (factory ``requires_grad=``,
# ``nonzero(as_tuple=)``): a call using them is left to it.
_LEFT_TO_JIT145 = frozenset({"requires_grad", "as_tuple"})


def _why(schemas_: tuple, positional: List[Optional[str]], keywords: Dict[str, Optional[str]],
         self_bound: bool) -> str:
    """The first reason, in the compiler's order, that no overload accepts the call."""
    names = schemas.keyword_names(schemas_)
    unknown = sorted(k for k in keywords if k not in names)
    if unknown:
        return f"unknown keyword argument `{unknown[0]}`"
    n = len(positional)
    if not schemas.can_match(schemas_, n, {k: None for k in keywords}, self_bound):
        if not schemas.can_match(schemas_, n, {}, self_bound) and not any(
                schemas.can_match(schemas_, m, {}, self_bound) for m in range(n + 1, n + 8)):
            most = max(sum(1 for a in s.arguments if not a.kwarg_only) - (1 if self_bound else 0)
                       for s in schemas_)
            if n > most:
                return f"too many positional arguments ({n}; at most {most})"
        return "an argument is missing or given twice"
    return "an argument's type matches no overload"


class OperatorArguments(Rule):
    """
    ## What it does
    Flags calls in compiled code to torch operators whose arguments match no overload of the
    operator's schemas: ``torch.*``, ``torch.nn.functional.*``, ``torch.linalg.*`` and the like
    where the frontend calls a builtin operator, and Tensor methods on values known to be
    Tensors. It reports too many positional arguments, an unknown keyword, a missing required
    argument, an argument given both by position and by keyword, and literal-typed arguments
    (ints, floats, bools, strings, ``None``, lists, annotated parameters) no overload takes.
    The schemas are torch 2.13's own (``linter/data/schemas.json.gz``), matched the way the
    compiler's ``tryMatchSchema`` matches them.

    Functions the compiler compiles from their Python source instead (most of
    ``torch.nn.functional``, ``torch.norm``, ``torch.unique``) are not checked here, nor are
    arguments of unknown type.

    ## Why is this bad?
    Eager PyTorch accepts some spellings through its Python argument parser (``axis=`` for
    ``dim=``, ``inplace=`` on ``torch.relu``'s Python wrapper errors only when reached), but
    ``torch.jit.script`` matches every call against the registered schemas and fails the whole
    compile: "Arguments for call are not valid", "Keyword argument axis unknown", "Expected at
    most 2 arguments but found 3 positional arguments", "Argument dim not provided".

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, x], axis=0) + x.sum(dims=0)
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, x], dim=0) + x.sum(dim=0)
    ```

    ## Fix safety
    No fix: which argument was meant is the author's decision.
    """

    code = "JIT150"
    name = "operator-arguments"
    message = "the call's arguments match no overload of the torch operator"
    evidence = ()

    INVALID = [
        Example(
            """
            import torch
            def fn(x: torch.Tensor) -> torch.Tensor:
                return torch.cat([x, x], axis=0)  # MARK
            """
        ),
        Example(
            """
            import torch
            def fn(x: torch.Tensor) -> torch.Tensor:
                return torch.relu(x, x)  # MARK
            """
        ),
        Example(
            """
            import torch
            def fn(x: torch.Tensor) -> torch.Tensor:
                return x.sum(0, dim=0)  # MARK
            """
        ),
        Example(
            """
            import torch
            def fn(x: torch.Tensor) -> torch.Tensor:
                return torch.transpose(x, 0)  # MARK
            """
        ),
        Example(
            """
            import torch
            def fn(x: torch.Tensor, dim: str) -> torch.Tensor:
                return x.unsqueeze(dim)  # MARK
            """
        ),
        Example(
            """
            import torch
            from torch import nn
            import torch.nn.functional as F
            class M(nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    y = F.conv1d(x.view(1, 1, -1), x.view(1, 1, -1), padding_mode="zeros")  # MARK
                    return y.view(-1)
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            def fn(x: torch.Tensor) -> torch.Tensor:
                y = torch.cat([x, x], dim=0) + torch.cat([x, x], 0)
                return y.sum(0, keepdim=True) + x.view(3, -1).sum(dim=[0, 1]) + x.view(-1)
            """
        ),
        Example(
            """
            import torch
            import torch.nn.functional as F
            def fn(x: torch.Tensor) -> torch.Tensor:
                y = torch.clamp(x, min=0) + x.clamp(0.0, 1.0) + torch.add(x, x, alpha=2)
                return y + F.softmax(x, dim=-1) + torch.zeros(3, dtype=torch.float) + x.new_zeros(3)
            """
        ),
        Example(
            """
            import torch
            def fn(x: torch.Tensor, d: int) -> torch.Tensor:
                return torch.softmax(x, d) + x.permute(0).unsqueeze(d).squeeze(d)
            """,
            inputs="[(torch.ones(3), 0)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if any(a.star for a in node.args):
            return
        func = node.func
        found = None
        self_bound = False
        if isinstance(func, cst.Attribute) and certain_type(func.value, ctx) == "Tensor":
            method = func.attr.value
            found = schemas.tensor_method_overloads(method)
            label = f"Tensor.{method}"
            self_bound = True
        else:
            qual = ctx.resolve(func)
            if not qual or qual.rpartition(".")[0] not in _NAMESPACES:
                return
            if schemas.name_kind(qual) != "builtin":
                return
            op = schemas.builtin_op(qual)
            found = schemas.overloads(op) if op else ()
            label = qual
        if not found:
            return
        keywords = {a.keyword.value: argument_kind(a.value, ctx) for a in node.args if a.keyword is not None}
        if _LEFT_TO_JIT145 & set(keywords):
            return
        positional = [argument_kind(a.value, ctx) for a in node.args if a.keyword is None]
        if schemas.can_match(found, positional, keywords, self_bound):
            return
        why = _why(found, positional, keywords, self_bound)
        ctx.report(
            node,
            f"`{label}(...)`: {why}; torch.jit.script matches the call against the operator's "
            f"schemas and no overload accepts it (\"Arguments for call are not valid\")",
        )
