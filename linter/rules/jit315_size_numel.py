from typing import Optional

import libcst as cst

from ..analysis.trace_dims import ANY_SIZE
from ..analysis.tracing import input_free, size_origin, tensor_requires, track_assignment
from ..analysis.typecheck.lattice import SIZE
from .base import TRACE, Example, Rule

_ATOMIC = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)


def _whole_shape_of(value: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """``x`` for ``x.shape`` / ``x.size()`` (the whole shape), None for anything else."""
    if isinstance(value, cst.Attribute) and value.attr.value == "shape":
        return value.value
    if (isinstance(value, cst.Call) and not value.args and isinstance(value.func, cst.Attribute)
            and value.func.attr.value == "size"):
        return value.func.value
    return None


class SizeNumel(Rule):
    """
    ## What it does
    Flags element counts computed from a Tensor's shape in Python in code that runs while
    ``torch.jit.trace`` traces: ``x.shape.numel()``, ``x.size().numel()``,
    ``x.shape[2:].numel()`` (``torch.Size.numel()``) and ``torch.numel(x)``.

    ## Why is this bad?
    While tracing, the sizes of a Tensor are recorded (``x.size(0)``, ``x.shape[2:]`` unpacked
    into ``torch.zeros(n, c, *x.shape[2:])``, ``x.view(x.size(0), -1)``, ``math.prod(x.shape)``
    and ``x.numel()`` all stay dynamic). ``torch.Size.numel()`` and ``torch.numel(x)`` do not:
    they multiply the sizes in C++ and return a plain Python int, so the trace keeps the example
    input's element count as a constant, **with no TracerWarning**. The traced model then
    builds wrongly sized Tensors, or divides by the wrong count, for every other input shape.

    ## Example
    ```python
    def forward(self, x):
        n = x.shape[2:].numel()
        return x.sum((2, 3)) / n, torch.zeros(torch.numel(x))
    ```

    ## Use instead
    ```python
    def forward(self, x):
        n = math.prod(x.shape[2:])
        return x.sum((2, 3)) / n, torch.zeros(x.numel())
    ```

    ## Fix safety
    ``x.shape.numel()``, ``x.size().numel()`` and ``torch.numel(x)`` become ``x.numel()``, and
    ``x.shape[i:j].numel()`` becomes ``math.prod(x.shape[i:j])``: the same int in eager Python
    (the product of no sizes is 1 either way), recorded dynamically by the tracer, so the fix is
    safe. (Neither form compiles under ``torch.jit.script``; code that is also scripted needs
    ``x.numel()`` or a loop over the sizes.)
    """

    code = "JIT315"
    name = "size-numel"
    message = "an element count computed from a shape in Python is a constant in the trace"
    mode = TRACE
    varies = (ANY_SIZE,)
    fix_safety = "safe"

    INVALID = [
        Example(
            """
            import torch

            def fn(x):
                return torch.zeros(x.shape.numel())  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 3),), (torch.ones(4, 5),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    spatial = x.shape[2:]
                    n = spatial.numel()  # MARK
                    return x.sum((2, 3)) / n
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(2, 3, 4, 4),), (torch.ones(2, 3, 6, 8),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                return x.new_ones(torch.numel(x))  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 3),), (torch.ones(4, 5),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                return x.flatten(1) / x.size()[1:].numel()  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 3, 4),), (torch.ones(2, 5, 4),)]",
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
                    self.weight = nn.Parameter(torch.ones(3, 4))

                def forward(self, x):
                    n, c = x.shape[:2]
                    a = torch.zeros(n, c, *x.shape[2:]) + x.new_zeros(*x.shape)
                    b = torch.ones(list(x.shape)) + x.new_ones(x.size(0), *x.shape[1:])
                    shape = [x.size(0), x.size(1), -1]
                    flat = x.view(x.size(0), -1).reshape(*shape)
                    count = math.prod(x.shape[2:]) + x.numel() + self.weight.shape.numel()
                    return a + b + flat.view(x.shape) + count
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(2, 3, 4, 4),), (torch.ones(3, 2, 6, 8),)]",
        ),
    ]

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        track_assignment(node, ctx)

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        track_assignment(node, ctx)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        track_assignment(node, ctx)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "numel":
            return
        if not node.args:
            self._size_numel(node, func.value, ctx)
            return
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            return
        if ctx.resolve(func) != "torch.numel":
            return
        tensor = node.args[0].value
        requires = tensor_requires(tensor, ctx)
        if requires is None or input_free(tensor, ctx):
            return
        code = ctx.code_of(tensor)
        if not isinstance(tensor, _ATOMIC):
            code = f"({code})"
        fix = ctx.safe_fix(f"Use `{code}.numel()`", [(node, f"{code}.numel()")])
        ctx.report(node, f"`torch.numel({ctx.code_of(tensor)})` returns a plain Python int while tracing: the trace "
                         f"records the example input's element count as a constant (no TracerWarning). Use "
                         f"`{code}.numel()`, which is traced", fix=fix, requires=requires)

    def _size_numel(self, node: cst.Call, size: cst.BaseExpression, ctx) -> None:
        if ctx.type_of(size) != SIZE or size_origin(size, ctx) != "dyn" or input_free(size, ctx):
            return
        shown = ctx.code_of(size)
        whole = _whole_shape_of(size)
        if whole is not None:
            code = ctx.code_of(whole)
            if not isinstance(whole, _ATOMIC):
                code = f"({code})"
            new, imports = f"{code}.numel()", ()
        else:
            new, imports = f"math.prod({shown})", (("math", None),)
            binding = ctx.names.bindings.get("math")
            if binding is not None and not (binding.kind == "import" and binding.target == "math"):
                self._report(node, shown, None, ctx)
                return
        fix = ctx.safe_fix(f"Use `{new}`", [(node, new)], imports=imports)
        self._report(node, shown, (new, fix), ctx)

    @staticmethod
    def _report(node: cst.Call, shown: str, replacement, ctx) -> None:
        instead = f"`{replacement[0]}`" if replacement else "`math.prod(...)` of the sizes"
        ctx.report(node, f"`{shown}.numel()` multiplies the sizes outside the trace (`torch.Size.numel()` returns a "
                         f"plain Python int): the trace records the example input's element count as a constant "
                         f"(no TracerWarning). Use {instead}, which is traced",
                   fix=replacement[1] if replacement else None)
