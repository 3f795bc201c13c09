from typing import Optional

import libcst as cst

from ..analysis.tracing import input_free, track_assignment, track_loop_target, variable_iteration
from .base import EXPORT, Example, Rule


class ExportSizeLoop(Rule):
    """
    ## What it does
    Flags Python loops and comprehensions whose number of steps depends on an input's size in
    code ``torch.export.export`` runs: ``for i in range(x.size(0))``, ``for row in x``,
    ``x.unbind(0)``.

    ## Why is this bad?
    Export unrolls the loop for the example input: a dim marked dynamic is *specialised* to the
    example size, and the exported program rejects every other size ("Guard failed:
    x.size()[0] == 4", torch 2.13, non-strict). (Marking the dim ``Dim.DYNAMIC`` or with a
    named ``Dim`` makes export fail instead.)

    ## Example
    ```python
    def forward(self, x):
        out = x
        for i in range(x.size(0)):
            out = out + x[i]
        return out
    ```

    ## Use instead
    Vectorise (``x.sum(0)``, ``torch.cumsum``...), or loop over a fixed, module-defined count:
    ```python
    def forward(self, x):
        return x + x.sum(0)
    ```

    ## Fix safety
    No fix.
    """

    code = "JIT604"
    name = "export-size-loop"
    message = "A loop over an input size is unrolled by torch.export: the dim is specialised"
    mode = EXPORT

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    out = x
                    for i in range(x.size(0)):  # MARK
                        out = out + x[i]
                    return out
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 3),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return torch.stack([row * 2 for row in x])  # MARK
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 3),)]",
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
                    self.layers = nn.ModuleList([nn.Identity(), nn.Identity()])

                def forward(self, x):
                    for layer in self.layers:
                        x = layer(x)
                    for _ in range(2):
                        x = x * 2
                    return x + x.sum(0)
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 3),)]",
        ),
    ]

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        track_assignment(node, ctx)

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        track_assignment(node, ctx)

    def visit_For(self, node: cst.For, ctx) -> None:
        self._check(node.iter, ctx, "`for` loop")
        track_loop_target(node.target, node.iter, ctx)

    def _comprehension(self, node, ctx) -> None:
        comp: Optional[cst.CompFor] = node.for_in
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

    def _check(self, it: cst.BaseExpression, ctx, what: str) -> None:
        found = variable_iteration(it, ctx)
        if found is None or input_free(it, ctx):
            return
        why, requires = found
        if requires:
            return  # only known Tensors: export roots are nn.Modules, whose inputs are not known here
        ctx.report(it, f"this {what} {why.split(',')[0]}: torch.export unrolls it for the example input and "
                       f"specialises the dim, so the exported program rejects other sizes. Vectorise it")
