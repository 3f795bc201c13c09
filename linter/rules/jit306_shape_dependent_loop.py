from typing import Optional

import libcst as cst

from ..analysis.script_extraction import script_if_tracing_fix
from ..analysis.tracing import (
    iteration_groups,
    input_free,
    track_assignment,
    track_loop_target,
    variable_iteration,
)
from .base import TRACE, Example, Rule


class ShapeDependentLoop(Rule):
    """
    ## What it does
    Flags Python loops and comprehensions whose number of iterations depends on an input's size,
    in code that runs while ``torch.jit.trace`` traces: ``for i in range(x.size(0))``,
    ``for i in range(len(x))``, ``for row in x``, ``for t in x.unbind(1)``,
    ``for part in x.split(2)`` (also through ``enumerate``/``zip``), and the same iterables in
    list comprehensions and generator expressions.

    ## Why is this bad?
    The tracer does not record loops: it records the operations of each iteration, so the loop is
    unrolled to the example input's length. ``range(x.size(0))`` loops do this silently (no
    ``TracerWarning``); loops over a Tensor or its ``unbind``/``split`` pieces make the traced
    model fail on other sizes ("Expected 3 elements in a list but found 5"). Loops over a fixed
    number of items (``range(self.num_layers)``, ``x.chunk(2)``, ``nn.ModuleList``s) and over a
    Tensor's rank (``for s in x.shape``) are not reported.

    ## Example
    ```python
    def forward(self, x):
        out = torch.zeros_like(x[0])
        for i in range(x.size(0)):
            out = out + x[i] * i
        return out
    ```

    ## Use instead
    Vectorise over the dimension, or move the loop into a ``@torch.jit.script_if_tracing``
    helper, which keeps it:
    ```python
    def forward(self, x):
        w = torch.arange(x.size(0), dtype=x.dtype).view(-1, *([1] * (x.dim() - 1)))
        return (x * w).sum(0)
    ```

    ## Fix safety
    The fix for a ``for`` statement (``--unsafe-fixes``) moves the loop into a new module-level
    ``@torch.jit.script_if_tracing`` function, passed the names the loop reads and returning, as
    Tensors, the names later code reads (``out = _fn_loop(x, out)``), so the trace calls the
    compiled loop instead of unrolling it. Eagerly nothing changes, but it is unsafe: while
    tracing, the helper is compiled by ``torch.jit.script``, so a loop TorchScript rejects or
    types differently fails (loudly) at trace time and its results must be Tensors. It is
    refused for loops that append to a list (a list returned to the trace has a fixed length),
    read a size computed before the loop (still frozen), or read values of unknown type.
    Comprehensions are not fixed; vectorising is a rewrite left to you.
    """

    code = "JIT306"
    name = "shape-dependent-loop"
    message = "a Python loop over an input's size is unrolled into the trace"
    mode = TRACE
    fix_safety = "unsafe"
    evidence = ("t009", "t029")

    INVALID = [
        Example(
            """
            import torch

            def fn(x):
                out = torch.zeros_like(x[0])
                for i in range(x.size(0)):  # MARK
                    out = out + x[i] * i
                return out
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    acc = torch.zeros(x.shape[1])
                    for row in x:  # MARK
                        acc = acc + row
                    return acc
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 2),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                return torch.stack([r * i for i, r in enumerate(x.unbind(0))]).sum(0)  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 3),), (torch.ones(4, 3),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                return sum(x[:, i] for i in range(x.size(1)))  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 4),), (torch.ones(2, 9),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                out = []
                for part in x.split(2):  # MARK
                    out.append(part.sum(0))
                return torch.stack(out)
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(4, 3),), (torch.ones(6, 3),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x):
                w = torch.arange(x.size(0), dtype=x.dtype).view(-1, 1)
                return (x * w).sum(0)
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            @torch.jit.script_if_tracing
            def _cumulative(x: torch.Tensor) -> torch.Tensor:
                out = torch.zeros_like(x[0])
                for i in range(x.size(0)):
                    out = out + x[i] * i
                return out

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
                    self.num_heads = 2

                def forward(self, x):
                    for layer in self.layers:
                        x = layer(x)
                    heads = [h * 2 for h in x.chunk(self.num_heads, dim=1)]
                    n = 1
                    for s in x.shape:
                        n = n * s
                    for i in range(self.num_heads):
                        x = x + i
                    return _cumulative(x) + torch.cat(heads, 1).sum(0) + n
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3, 2),), (torch.ones(5, 2),)]",
        ),
    ]

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        track_assignment(node, ctx)

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        track_assignment(node, ctx)

    def visit_For(self, node: cst.For, ctx) -> None:
        self._check(node.iter, ctx, "`for` loop", node)
        track_loop_target(node.target, node.iter, ctx)

    def _comprehension(self, node, ctx) -> None:
        comp = node.for_in
        while comp is not None:
            self._check(comp.iter, ctx, "comprehension")
            comp = comp.inner_for_in

    def visit_ListComp(self, node: cst.ListComp, ctx) -> None:
        self._comprehension(node, ctx)

    def visit_GeneratorExp(self, node: cst.GeneratorExp, ctx) -> None:
        self._comprehension(node, ctx)

    def visit_SetComp(self, node: cst.SetComp, ctx) -> None:
        self._comprehension(node, ctx)

    def visit_DictComp(self, node: cst.DictComp, ctx) -> None:
        self._comprehension(node, ctx)

    def _check(self, it: cst.BaseExpression, ctx, what: str, owner: Optional[cst.For] = None) -> None:
        found = variable_iteration(it, ctx)
        if found is None or input_free(it, ctx):
            return
        why, requires = found
        fix = None
        if owner is not None and owner.orelse is None:
            fix = script_if_tracing_fix(owner, it, ctx, what=f"the `for ... in {ctx.code_of(it)}:` loop",
                                        requires=requires)
        ctx.report(it, f"this {what} {why}: the trace is unrolled for the example input and is wrong or fails for "
                       f"other sizes. Vectorise it, or move it into a `@torch.jit.script_if_tracing` helper",
                   requires=requires, fix=fix, varies=iteration_groups(it, ctx))
