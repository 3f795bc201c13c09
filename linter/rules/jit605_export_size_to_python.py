from typing import Optional

import libcst as cst

from ..analysis.tracing import (
    head_target, in_diagnostic, input_free, size_origin, tensor_requires, track_assignment, track_loop_target,
)
from .base import EXPORT, Example, Rule

_BUILTINS = {"builtins.int": "`int()`", "builtins.float": "`float()`", "builtins.len": "`len()` of a Tensor"}


class ExportSizeToPython(Rule):
    """
    ## What it does
    Flags Python conversions of an input's sizes in code ``torch.export.export`` runs:
    ``int(x.size(0) * x.size(1))``, ``float(x.size(1))``, ``math.sqrt(x.size(0))`` and
    ``len(x)`` of a Tensor.

    ## Why is this bad?
    In non-strict export (the default), a size is a symbolic int; ``int()``, ``float()`` and
    ``math`` functions turn it into a plain Python number, which specialises the dim to the
    example size: the exported program rejects every other size ("Guard failed:
    x.size()[1] == 3", torch 2.13). Symbolic arithmetic (``x.size(0) // 2``,
    ``x.size(-1) ** -0.5``, ``max(...)``) stays dynamic and is not reported. Nor is the last
    dim alone (``math.sqrt(k.size(-1))`` in attention): it is the feature dim, which a weight
    (``nn.Linear``, ``nn.LayerNorm``) fixes, so export has specialised it anyway and the
    conversion costs nothing (measured on bench/export_corpus).

    ## Example
    ```python
    def forward(self, x):
        return x / math.sqrt(x.size(1))
    ```

    ## Use instead
    ```python
    def forward(self, x):
        return x * x.size(1) ** -0.5
    ```

    ## Fix safety
    No fix.
    """

    code = "JIT605"
    name = "export-size-to-python"
    message = "A size converted to a Python number specialises the dim in torch.export"
    mode = EXPORT

    INVALID = [
        Example(
            """
            import math

            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    return x / math.sqrt(x.size(0))  # MARK
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 5),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    return x.reshape(int(x.size(0) * x.size(1)))  # MARK
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 5),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x * len(x)  # MARK
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 5),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import math

            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.dim = 3

                def forward(self, x):
                    half = x.size(0) // 2
                    y = x[:half] * x.size(-1) ** -0.5
                    return y.reshape(x.size(-1) * half) / math.sqrt(self.dim)
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 5),)]",
        ),
        Example(
            """
            import math

            import torch
            from torch import nn

            class Attention(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.q = nn.Linear(3, 4)

                def forward(self, x):
                    q = self.q(x)
                    return (q @ q.transpose(-2, -1)) / math.sqrt(q.size(-1))
            """,
            root="Attention", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(2, 4, 3),), (torch.ones(3, 6, 3),)]",
        ),
    ]

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        track_assignment(node, ctx)

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        track_assignment(node, ctx)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        track_assignment(node, ctx)

    def visit_For(self, node: cst.For, ctx) -> None:
        track_loop_target(node.target, node.iter, ctx)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            return
        func = node.func
        if isinstance(func, cst.Name):
            if func.value not in ("int", "float", "len"):
                return
        elif isinstance(func, cst.Attribute):
            head = head_target(func, ctx)
            if head is None or not head.startswith("math"):
                return
        else:
            return
        qual = ctx.resolve(func)
        what: Optional[str] = _BUILTINS.get(qual or "")
        if what is None and qual and qual.startswith("math.") and qual not in ("math.prod",):
            what = f"`{qual}()`"
        if what is None:
            return
        arg = node.args[0].value
        if qual == "builtins.len":
            if tensor_requires(arg, ctx) != () or input_free(arg, ctx) or in_diagnostic(node, ctx):
                return
        elif (size_origin(arg, ctx) != "dyn" or input_free(arg, ctx) or in_diagnostic(node, ctx)
              or _last_dim(arg)):
            return
        ctx.report(node, f"{what} of `{ctx.code_of(arg)}` makes the size a Python number: torch.export "
                         f"specialises the dim to the example size and the exported program rejects others. "
                         f"Keep the size symbolic (`size // 2`, `size ** -0.5`)")


def _last_dim(node: cst.BaseExpression) -> bool:
    """``t.size(-1)`` or ``t.shape[-1]``: the feature dim, fixed by the weights it meets."""
    def minus_one(n) -> bool:
        return (isinstance(n, cst.UnaryOperation) and isinstance(n.operator, cst.Minus)
                and isinstance(n.expression, cst.Integer) and n.expression.value == "1")
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "size":
        return len(node.args) == 1 and minus_one(node.args[0].value)
    if (isinstance(node, cst.Subscript) and isinstance(node.value, cst.Attribute) and node.value.attr.value == "shape"
            and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index)):
        return minus_one(node.slice[0].slice.value)
    return False
