from typing import Optional

import libcst as cst

from ..analysis.typecheck.lattice import FLOAT, INT, NUMBER
from .base import EXPORT, Example, Rule


def _self_attr(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return node.attr.value
    return None


class ExportStateMutation(Rule):
    """
    ## What it does
    Flags augmented assignments to a Python number held by the module (``self.calls += 1``,
    ``self.total *= 0.9``) in code ``torch.export.export`` runs.

    ## Why is this bad?
    Export runs ``forward`` once and records Tensor operations only: the update of a Python
    attribute happens once, at export time, and the value read afterwards is baked into the
    program as a constant. The exported program never updates it again and computes with the
    export-time value on every call (torch 2.13, strict and non-strict). Buffers updated in
    place (``self.steps += 1`` on a registered buffer) are recorded and not reported.

    ## Example
    ```python
    def forward(self, x):
        self.calls += 1
        return x * self.calls
    ```

    ## Use instead
    Keep the state in a buffer and update it in place:
    ```python
    def __init__(self):
        super().__init__()
        self.register_buffer("calls", torch.zeros(()))

    def forward(self, x):
        self.calls += 1
        return x * self.calls
    ```

    ## Fix safety
    No fix.
    """

    code = "JIT606"
    name = "export-state-mutation"
    message = "A Python attribute updated in forward is frozen by torch.export"
    mode = EXPORT

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.calls = 0

                def forward(self, x):
                    self.calls += 1  # MARK
                    return x * self.calls
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 5),)]",
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
                    self.register_buffer("calls", torch.zeros(()))
                    self.scale = 2.0

                def forward(self, x):
                    self.calls += 1
                    scale = self.scale
                    scale += 1.0
                    return x * self.calls * scale
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 5),)]",
        ),
    ]

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        attr = _self_attr(node.target)
        fn = ctx.function
        if attr is None or fn is None or fn.name == "__init__" or ctx.nested:
            return
        if ctx.type_of(node.target) not in (INT, FLOAT, NUMBER):
            return  # a buffer updated in place, or unknown: export records Tensor updates
        if any(_self_attr(c) == "training" for c in ctx.conditions):
            return  # training-only bookkeeping: export is done in eval mode
        ctx.report(node, f"`self.{attr}` is a Python number updated in forward: torch.export runs forward once, so "
                         f"the exported program never updates it and uses its export-time value. Keep it in a "
                         f"buffer updated in place")
