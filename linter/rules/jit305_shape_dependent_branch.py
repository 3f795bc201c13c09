from typing import Optional

import libcst as cst

from ..analysis.script_extraction import script_if_tracing_fix
from ..analysis.tracing import (
    condition_groups,
    condition_kind,
    input_free,
    raises_only,
    track_assignment,
    track_loop_target,
)
from .base import TRACE, Example, Rule

_WARNS = {"shape": "", "rank": " (no TracerWarning is emitted)", "dtype": " (no TracerWarning is emitted)",
          "device": " (no TracerWarning is emitted)"}


class ShapeDependentBranch(Rule):
    """
    ## What it does
    Flags Python ``if``/``while``/ternary conditions on a Tensor's shape, rank, dtype or device
    in code that runs while ``torch.jit.trace`` traces: ``if x.shape[0] == 1:``,
    ``if x.size(1) > 4:``, ``if x.dim() == 2:``, ``if x.ndim == 3:``,
    ``if x.dtype == torch.float16:``, ``if x.is_cuda:``, ``if x.numel() == 0:``.

    ## Why is this bad?
    The condition is evaluated once, with the example input, and only the branch taken is
    recorded: inputs of another shape, rank, dtype or device silently run the traced branch
    (or fail inside it). Branches on ranks, dtypes and devices do not even emit a
    ``TracerWarning``. Checks that only ``raise`` (``if x.dim() != 4: raise ValueError``, also
    with an ``elif``/``else``: for every input eager accepts the trace takes the path eager
    takes), ``assert``s and ``torch._assert(...)`` on shapes are not reported: they do not
    change results for valid inputs.
    Branches on ``self.training`` (see JIT313), on non-Tensor arguments and on configuration
    attributes are not reported either, nor conditions on module state such as
    ``self.weight.shape``.

    ## Example
    ```python
    def forward(self, x):
        if x.dim() == 2:
            return x.sum(1)
        return x * 2
    ```

    ## Use instead
    Make the code shape-agnostic, trace one model per variant, or move the branch into a
    ``@torch.jit.script_if_tracing`` helper, which keeps it:
    ```python
    @torch.jit.script_if_tracing
    def _reduce(x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            return x.sum(1)
        return x * 2

    def forward(self, x):
        return _reduce(x)
    ```

    ## Fix safety
    The fix for an ``if``/``while`` statement (``--unsafe-fixes``) moves it into a new
    module-level ``@torch.jit.script_if_tracing`` function as above, passed the names the block
    reads (``self.attr`` values as arguments) and returning, as Tensors, the names later code
    reads; an ``if`` that returns on some paths takes the rest of the function with it and
    becomes ``return _forward_branch(x)``. Eagerly nothing changes, but it is unsafe: while
    tracing, the helper is compiled by ``torch.jit.script``, so code TorchScript rejects or
    types differently fails (loudly) at trace time, its results must be Tensors, and a size read
    *before* the block and passed in would still be frozen (the fix is then refused, as it is
    for values of unknown type, results assigned on some paths only, calls of ``self``'s
    methods or submodules).
    """

    code = "JIT305"
    name = "shape-dependent-branch"
    message = "Python branch on a Tensor's shape, rank, dtype or device is frozen into the trace"
    mode = TRACE
    fix_safety = "unsafe"
    evidence = ("t025", "t026", "t027")

    INVALID = [
        Example(
            """
            import torch

            def fn(x):
                if x.shape[0] == 1:  # MARK
                    return x.squeeze(0)
                return x.mean(0)
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(1, 3),), (torch.ones(4, 3),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    if x.dim() == 2:  # MARK
                        return x.sum(1)
                    return x * 2
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(3),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                if x.dtype == torch.float64:  # MARK
                    return x * 2
                return x + 1
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3, dtype=torch.float64),), (torch.full((3,), 3.0),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                h = x.size(1)
                return x * 2 if h > 4 else x  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 6),), (torch.ones(2, 3),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                if x.shape[0] > 8:
                    raise ValueError("batch too large")
                elif x.shape[0] == 1:  # MARK
                    y = x * 3
                else:
                    y = x + 1
                return y
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(1, 3),), (torch.ones(4, 3),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            @torch.jit.script_if_tracing
            def _reduce(x: torch.Tensor) -> torch.Tensor:
                if x.dim() == 2:
                    return x.sum(1)
                return x * 2

            def fn(x):
                return _reduce(x)
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(3),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.proj = nn.Linear(4, 4)
                    self.use_bias = True

                def forward(self, x):
                    if x.dim() != 2:
                        raise ValueError(f"expected a 2-D input, got {x.dim()}-D")
                    assert x.shape[1] == 4, "expected 4 features"
                    if self.proj.weight.shape[0] == 4 and self.use_bias:
                        x = x + 1
                    if not x.is_contiguous():
                        x = x.contiguous()
                    return self.proj(x)[:, : x.size(1) // 2]
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3, 4),), (torch.ones(5, 4),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.dim = 4

                def forward(self, x):
                    torch._assert(x.shape[-1] == self.dim, "expected 4 features")
                    if x.shape[1] != self.dim:
                        raise ValueError(f"expected {self.dim} features, got {x.shape[1]}")
                    elif x.dim() != 2:
                        raise ValueError("expected a 2-D input")
                    else:
                        y = x * 2
                    if x.shape[0] > 0:
                        y = y + 1
                    else:
                        raise ValueError("empty batch")
                    return y
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3, 4),), (torch.full((5, 4), 2.0),), (torch.full((1, 4), 3.0),)]",
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

    def _check(self, test: cst.BaseExpression, ctx, what: str, owner: Optional[cst.BaseStatement] = None) -> None:
        kind = condition_kind(test, ctx)
        if kind is None or input_free(test, ctx):
            return
        code = ctx.code_of(test)
        fix = None
        if owner is not None:
            keyword = "if" if isinstance(owner, cst.If) else "while"
            fix = script_if_tracing_fix(owner, test, ctx, what=f"the `{keyword} {code}:` block")
        ctx.report(test, f"{what} `{code}` depends on the input's {kind}: the trace keeps only the branch "
                         f"taken for the example input{_WARNS.get(kind, '')}. Inputs with another {kind} silently "
                         f"take it too: use a `@torch.jit.script_if_tracing` helper or shape-agnostic code", fix=fix,
                   varies=condition_groups(test, ctx))

    def visit_If(self, node: cst.If, ctx) -> None:
        if raises_only(node, ctx):
            return
        self._check(node.test, ctx, "`if`", node)

    def visit_While(self, node: cst.While, ctx) -> None:
        self._check(node.test, ctx, "`while`", node)

    def visit_IfExp(self, node: cst.IfExp, ctx) -> None:
        self._check(node.test, ctx, "the condition")
