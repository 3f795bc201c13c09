from typing import Optional

import libcst as cst

from ..analysis.syntax import iter_descendants
from .base import EXPORT, Example, Rule

_KEY = "JIT602"
_CONVERTERS = {"builtins.int": "int()", "builtins.float": "float()", "builtins.bool": "bool()"}


def conversion(node: cst.CSTNode, ctx) -> Optional[str]:
    """``t.item()``, ``int(t)``, ``float(t)``, ``bool(t)`` of a known Tensor ``t``: how it is
    spelled; None for anything else (sizes are not Tensors here)."""
    if not isinstance(node, cst.Call):
        return None
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value == "item" and not node.args:
        return "`.item()`" if ctx.type_of(func.value) == "tensor" else None
    if isinstance(func, cst.Name) and func.value in ("int", "float", "bool") and len(node.args) == 1:
        qual = ctx.resolve(func)
        if qual in _CONVERTERS and ctx.type_of(node.args[0].value) == "tensor":
            return f"`{_CONVERTERS[qual]}` of a Tensor"
    return None


class ExportItemBranch(Rule):
    """
    ## What it does
    Flags Python conditions (``if``/``while``/ternary) that read a Tensor converted to a
    Python number in code ``torch.export.export`` runs: ``if x.max().item() > 0.5:``,
    ``v = float(t)`` then ``if v > 0:``.

    ## Why is this bad?
    While exporting, ``.item()``/``int()``/``float()``/``bool()`` of a Tensor is an *unbacked*
    symbol whose value is unknown; a Python branch on it is a data-dependent guard and export
    fails ("Could not guard on data-dependent expression", torch 2.13, non-strict). Arithmetic
    on the number (``x * t.item()``) or slicing with it exports: only decisions fail.

    ## Example
    ```python
    def forward(self, x):
        if x.max().item() > 0.5:
            return x * 2
        return x
    ```

    ## Use instead
    Keep the value a Tensor and select with ``torch.where``, or ``torch.cond`` for real branches
    (``torch._check(...)`` states facts that let export decide a size-like value):
    ```python
    def forward(self, x):
        return torch.where(x.max() > 0.5, x * 2, x)
    ```

    ## Fix safety
    No fix: the replacement depends on what the branches compute.
    """

    code = "JIT602"
    name = "export-item-branch"
    message = "A Python branch on a Tensor converted to a number: torch.export cannot guard on data"
    mode = EXPORT

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    if x.max().item() > 0.5:  # MARK
                        return x * 2
                    return x
            """,
            root="M", mode=EXPORT, expect="export-fails",
            inputs="[(torch.ones(3, 4),), (torch.zeros(5, 2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    total = float(x.sum())
                    return x / 2 if total > 10 else x  # MARK
            """,
            root="M", mode=EXPORT, expect="export-fails",
            inputs="[(torch.ones(3, 4),), (torch.zeros(5, 2),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    scale = x.sum().item()
                    if x.dim() > 1:
                        x = x * scale
                    return torch.where(x.max() > 0.5, x * 2, x)
            """,
            root="M", mode=EXPORT, expect="export-fails",
            inputs="[(torch.ones(3, 4),), (torch.zeros(5, 2),)]",
        ),
    ]

    def _track(self, target: cst.BaseExpression, value: Optional[cst.BaseExpression], ctx) -> None:
        if not isinstance(target, cst.Name):
            return
        names = ctx.scratch.setdefault(_KEY, {})
        how = conversion(value, ctx) if value is not None else None
        if how is not None:
            names[target.value] = how
        else:
            names.pop(target.value, None)

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        for t in node.targets:
            self._track(t.target, node.value, ctx)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        self._track(node.target, node.value, ctx)

    def _check(self, test: cst.BaseExpression, ctx, what: str) -> None:
        names = ctx.scratch.get(_KEY, {})
        for sub in [test, *iter_descendants(test)]:
            how = conversion(sub, ctx)
            if how is None and isinstance(sub, cst.Name) and sub.value in names:
                how = f"`{sub.value}` ({names[sub.value]})"
            if how is not None:
                ctx.report(test, f"{what} `{ctx.code_of(test)}` reads {how}: a data-dependent value while "
                                 f"exporting, so torch.export fails on the branch. Keep it a Tensor and use "
                                 f"`torch.where(...)`/`torch.cond(...)`")
                return

    def visit_If(self, node: cst.If, ctx) -> None:
        self._check(node.test, ctx, "the `if` condition")

    def visit_While(self, node: cst.While, ctx) -> None:
        self._check(node.test, ctx, "the `while` condition")

    def visit_IfExp(self, node: cst.IfExp, ctx) -> None:
        self._check(node.test, ctx, "the condition of the conditional expression")
