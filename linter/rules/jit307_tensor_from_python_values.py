from typing import Optional, Tuple

import libcst as cst

from ..analysis.trace_dims import ANY_SIZE, VALUES, size_groups
from ..analysis.tracing import input_free, size_origin, tensor_requires, track_assignment
from ..analysis.typecheck.lattice import SIZE
from .base import TRACE, Example, Rule

_FACTORIES = frozenset({
    "torch.tensor", "torch.as_tensor", "torch.Tensor", "torch.LongTensor", "torch.FloatTensor",
    "torch.IntTensor", "torch.BoolTensor", "torch.DoubleTensor", "torch.HalfTensor",
    "torch.ByteTensor", "torch.asarray",
})


class TensorFromPythonValues(Rule):
    """
    ## What it does
    Flags ``torch.tensor(...)``, ``torch.as_tensor(...)``, ``x.new_tensor(...)`` (and the legacy
    ``torch.LongTensor(...)`` constructors) built from a *sequence* of sizes or Tensor values in
    code that runs while ``torch.jit.trace`` traces: ``torch.tensor(x.shape)``,
    ``torch.as_tensor(x.size())``, ``torch.tensor([h, w])`` with ``h, w = x.shape[-2:]``,
    ``torch.tensor([x.sum(), x.mean()])``.

    ## Why is this bad?
    These functions copy Python data: the trace stores the result as a constant ("torch.tensor
    results are registered as constants in the trace"), so the example input's sizes or values
    are returned for every later input, silently. (A single size or a single Tensor,
    ``torch.tensor(x.size(1))``, is traced correctly despite the same warning and is not
    reported; nor are literal constants such as ``torch.tensor([0.5, 2.0])``, which are
    constant either way.)

    ## Example
    ```python
    def forward(self, x):
        shape = torch.tensor(x.shape)
        return x.sum() + shape
    ```

    ## Use instead
    ```python
    def forward(self, x):
        shape = torch._shape_as_tensor(x)
        return x.sum() + shape
    ```
    For Tensor values, ``torch.stack([a, b])`` keeps them in the graph.

    ## Fix safety
    ``torch.tensor(x.shape)`` / ``torch.as_tensor(x.shape)`` (the whole shape of a Tensor, no other
    arguments) becomes ``torch._shape_as_tensor(x)``: same values and ``int64`` dtype in eager
    mode, and traced dynamically, so the fix is safe. Other forms have no automatic fix.
    """

    code = "JIT307"
    name = "tensor-from-python-values"
    message = "a Tensor built from Python sizes or values is a constant in the trace"
    mode = TRACE
    fix_safety = "safe"
    evidence = ("t012", "t038")

    INVALID = [
        Example(
            """
            import torch

            def fn(x):
                shape = torch.tensor([x.shape[0], x.shape[1]])  # MARK
                return x.sum() + shape
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 4),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    s = torch.as_tensor(x.shape)  # MARK
                    return s * 2
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 4),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                h, w = x.shape[-2:]
                return x.new_tensor([h, w]) * 2  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 4),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                return torch.tensor([x.sum(), x.mean()])  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 4) * 2,)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x):
                shape = torch._shape_as_tensor(x)
                return x.sum() + shape
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 4),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    weights = torch.tensor([0.5, 2.0])
                    scale = torch.tensor(x.size(1), dtype=torch.float32).sqrt()
                    both = torch.stack([x.sum(), x.mean()])
                    return x[:, :2] * weights / scale + both.sum()
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 4),)]",
        ),
    ]

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        track_assignment(node, ctx)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not node.args or not isinstance(func, cst.Attribute):
            return
        first = node.args[0]
        if first.keyword is not None or first.star:
            return
        qual = ctx.resolve(func)
        if qual is None:
            if func.attr.value != "new_tensor" or tensor_requires(func.value, ctx) is None:
                return
            what = f"`{ctx.code_of(func.value)}.new_tensor()`"
        elif qual in _FACTORIES:
            what = f"`{qual}()`"
        else:
            return
        found = self._traced_elements(first.value, ctx)
        if found is None or input_free(first.value, ctx):
            return
        desc, requires = found
        fix = None
        value = first.value
        if (qual in ("torch.tensor", "torch.as_tensor") and len(node.args) == 1 and isinstance(value, cst.Attribute)
                and value.attr.value == "shape" and ctx.type_of(value) == SIZE):
            code = f"torch._shape_as_tensor({ctx.code_of(value.value)})"
            fix = ctx.safe_fix(f"Use `{code}`", [(node, code)])
        ctx.report(node, f"{what} copies {desc} into a constant of the trace: later inputs get the example input's "
                         f"values. Use `torch._shape_as_tensor(x)` for shapes, `torch.stack([...])` for Tensors, or "
                         f"use the sizes directly in Tensor ops", fix=fix, requires=requires,
                   varies=(VALUES,) if desc.startswith("the Tensor value") else size_groups(value, ctx) or (ANY_SIZE,))

    @staticmethod
    def _traced_elements(value: cst.BaseExpression, ctx) -> Optional[Tuple[str, tuple]]:
        """A sequence holding sizes or Tensor values: (description, predicates)."""
        if ctx.type_of(value) == SIZE:
            if size_origin(value, ctx) == "dyn":
                return f"the shape `{ctx.code_of(value)}`", ()
            return None
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.args:
            if ctx.resolve(value.func) in ("builtins.list", "builtins.tuple"):
                inner = value.args[0].value
                if ctx.type_of(inner) == SIZE and size_origin(inner, ctx) == "dyn":
                    return f"the shape `{ctx.code_of(inner)}`", ()
            return None
        if not isinstance(value, (cst.List, cst.Tuple)):
            return None
        for el in value.elements:
            v = el.value
            if isinstance(el, cst.StarredElement):
                if ctx.type_of(v) == SIZE and size_origin(v, ctx) == "dyn":
                    return f"the sizes `{ctx.code_of(v)}`", ()
                continue
            if size_origin(v, ctx) == "dyn":
                return f"the size `{ctx.code_of(v)}`", ()
            requires = tensor_requires(v, ctx)
            if requires is not None:
                return f"the Tensor value `{ctx.code_of(v)}`", requires
        return None
