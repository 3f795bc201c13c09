import libcst as cst

from ..analysis.tracing import condition_kind, input_free, is_guard, track_assignment, track_loop_target
from .base import EXPORT, Example, Rule


def _trivial(test: cst.BaseExpression) -> bool:
    """A size itself compared with 0 or 1 (``x.size(0) == 1``): export's dynamic dims start at
    2, so it decides this without a guard (``n % 2 == 0`` is not trivial)."""
    if isinstance(test, cst.Comparison):
        operands = [test.left] + [c.comparator for c in test.comparisons]
        return (any(isinstance(o, cst.Integer) and o.value in ("0", "1") for o in operands)
                and not any(isinstance(o, (cst.BinaryOperation, cst.Call)) and not _size_call(o) for o in operands))
    return False


def _size_call(node: cst.BaseExpression) -> bool:
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("size", "numel", "nelement"))


class ExportSizeBranch(Rule):
    """
    ## What it does
    Flags Python ``if``/``while``/ternary conditions on an input's sizes (``if x.size(0) > 3:``,
    ``n = x.shape[1]`` then ``if n % 2 == 0:``) in code ``torch.export.export`` runs.

    ## Why is this bad?
    With a dimension marked dynamic (``Dim.AUTO`` or a named ``Dim``), export decides the branch
    for the example input and installs a *guard* on the size: the exported program then rejects
    every input that would have taken the other branch ("Guard failed: x.size()[0] >= 4",
    torch 2.13), or export fails when the dim was declared with a range. Comparisons with 0 or
    1 are not reported (dynamic dims start at 2), nor ``if ...: raise`` input checks.

    ## Example
    ```python
    def forward(self, x):
        if x.size(0) > 3:
            return x + 1
        return x - 1
    ```

    ## Use instead
    Compute the result without a size decision, or branch with ``torch.cond`` (both branches
    are exported):
    ```python
    def forward(self, x):
        return torch.cond(x.size(0) > 3, lambda t: t + 1, lambda t: t - 1, (x,))
    ```

    ## Fix safety
    No fix: the right rewrite depends on what the branches compute.
    """

    code = "JIT603"
    name = "export-size-branch"
    message = "A Python branch on an input size installs a guard in the exported program"
    mode = EXPORT

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    if x.size(0) > 3:  # MARK
                        return x + 1
                    return x - 1
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(2, 3),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    n = x.shape[0]
                    return x + 1 if n % 2 == 0 else x - 1  # MARK
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(5, 3),)]",
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
                    self.weight = nn.Parameter(torch.ones(3))

                def forward(self, x):
                    if x.size(0) == 0:
                        return x
                    if self.weight.shape[0] > 2:
                        x = x * self.weight
                    if x.dim() != 2:
                        raise ValueError("expected a matrix")
                    return torch.cond(x.size(0) > 3, lambda t: t + 1, lambda t: t - 1, (x,))
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(2, 3),)]",
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

    def _check(self, test: cst.BaseExpression, ctx, what: str) -> None:
        if condition_kind(test, ctx) != "shape" or input_free(test, ctx) or _trivial(test):
            return
        ctx.report(test, f"{what} `{ctx.code_of(test)}` decides on an input size: with that dim dynamic, "
                         f"torch.export installs a guard and the exported program rejects inputs that take the "
                         f"other branch. Avoid the decision, or use `torch.cond(...)`")

    def visit_If(self, node: cst.If, ctx) -> None:
        if not is_guard(node, ctx):
            self._check(node.test, ctx, "the `if` condition")

    def visit_While(self, node: cst.While, ctx) -> None:
        self._check(node.test, ctx, "the `while` condition")

    def visit_IfExp(self, node: cst.IfExp, ctx) -> None:
        self._check(node.test, ctx, "the condition of the conditional expression")
