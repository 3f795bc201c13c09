import libcst as cst

from ..analysis.tracing import input_free
from .base import EXPORT, Example, Rule


class ExportTensorValueBranch(Rule):
    """
    ## What it does
    Flags Python control flow decided by Tensor *values* in code that ``torch.export.export``
    runs (``forward`` and what it calls, in the opt-in ``export`` mode): ``if``/``while`` and
    ternary conditions that are Tensors (``if x.sum() > 0:``, ``while t.any():``).

    ## Why is this bad?
    ``torch.export`` runs ``forward`` with symbolic inputs whose values are unknown: a Python
    ``bool()`` of a Tensor is a data-dependent guard, and export fails
    ("GuardOnDataDependentSymNode: Could not guard on data-dependent expression"), in strict and
    non-strict mode alike (measured with torch 2.13).

    ## Example
    ```python
    def forward(self, x):
        if x.sum() > 0:
            return x * 2
        return -x
    ```

    ## Use instead
    ``torch.where`` when both sides are cheap and valid for every input, or ``torch.cond``,
    which exports both branches:
    ```python
    def forward(self, x):
        return torch.where(x.sum() > 0, x * 2, -x)
    ```

    ## Fix safety
    No fix: ``torch.where`` evaluates both sides and ``torch.cond`` needs both branches to return
    Tensors of the same shape, which only the author can decide.
    """

    code = "JIT601"
    name = "export-tensor-value-branch"
    message = "Python control flow on a Tensor value: torch.export cannot guard on data"
    mode = EXPORT

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    if x.sum() > 0:  # MARK
                        return x * 2
                    return -x
            """,
            root="M", mode=EXPORT, expect="export-fails",
            inputs="[(torch.ones(3, 4),), (-torch.ones(5, 2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    return x * 2 if (x > 0).all() else x * 3  # MARK
            """,
            root="M", mode=EXPORT, expect="export-fails",
            inputs="[(torch.ones(3, 4),), (-torch.ones(5, 2),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.scale = 2.0

                def forward(self, x):
                    if self.scale > 1:
                        x = x * self.scale
                    return torch.where(x.sum() > 0, x * 2, -x)
            """,
            root="M", mode=EXPORT, expect="export-fails",
            inputs="[(torch.ones(3, 4),), (-torch.ones(5, 2),)]",
        ),
    ]

    def _check(self, test: cst.BaseExpression, ctx, what: str) -> None:
        if _tensor_condition(test, ctx) and not input_free(test, ctx):
            ctx.report(test, f"{what} `{ctx.code_of(test)}` is a Tensor value: torch.export cannot decide it for "
                             f"symbolic inputs and fails (data-dependent guard). Use `torch.where(...)` or "
                             f"`torch.cond(...)`")

    def visit_If(self, node: cst.If, ctx) -> None:
        self._check(node.test, ctx, "the `if` condition")

    def visit_While(self, node: cst.While, ctx) -> None:
        self._check(node.test, ctx, "the `while` condition")

    def visit_IfExp(self, node: cst.IfExp, ctx) -> None:
        self._check(node.test, ctx, "the condition of the conditional expression")


def _tensor_condition(test: cst.BaseExpression, ctx, depth: int = 0) -> bool:
    """Is ``test`` (or one operand of its and/or/not) known to be a Tensor?"""
    if depth > 8:
        return False
    if isinstance(test, cst.BooleanOperation):
        return _tensor_condition(test.left, ctx, depth + 1) or _tensor_condition(test.right, ctx, depth + 1)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _tensor_condition(test.expression, ctx, depth + 1)
    if isinstance(test, cst.Comparison):
        if any(isinstance(c.operator, (cst.Is, cst.IsNot, cst.In, cst.NotIn)) for c in test.comparisons):
            return False
        return any(ctx.type_of(op) == "tensor" for op in [test.left] + [c.comparator for c in test.comparisons])
    return ctx.type_of(test) == "tensor" and not isinstance(test, cst.Name)
