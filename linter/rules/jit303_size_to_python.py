from typing import Optional

import libcst as cst

from ..analysis.trace_dims import ANY_SIZE, size_groups
from ..analysis.tracing import (
    head_target,
    in_diagnostic,
    in_raise_only_check,
    input_free,
    size_origin,
    track_assignment,
    track_loop_target,
)
from ..analysis.typecheck.lattice import SINT, SIZE
from .base import TRACE, Example, Rule

_ATOMIC = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer)
_CONVERSIONS = {
    "builtins.int": "`int()`",
    "builtins.float": "`float()`",
    "builtins.bool": "`bool()`",
    "builtins.round": "`round()` (the traced size has no `__round__`: tracing fails)",
    "builtins.divmod": "`divmod()` (tracing fails on a traced size)",
}


class SizeToPython(Rule):
    """
    ## What it does
    Flags sizes taken from a Tensor (``x.size(i)``, ``x.shape[i]``, ``x.numel()`` and arithmetic
    on them) that are converted to Python numbers in code that runs while ``torch.jit.trace``
    traces: ``int(...)``, ``float(...)``, ``bool(...)``, ``round(...)``, ``math.sqrt``/``math.ceil``
    and other ``math`` functions, NumPy functions, ``map(int, x.shape)``, and ``max()``/``min()``
    comparing a size.

    ## Why is this bad?
    While tracing, ``x.size(0)`` is a 0-dim Tensor, so ``x.size(0) * 2``, ``x.size(1) // 2``,
    ``x.size(-1) ** -0.5`` or ``torch.zeros(x.size(0))`` are recorded and stay dynamic, and so
    are sizes unpacked or passed through Python lists and tuples into a factory
    (``torch.zeros(n, c, *x.shape[2:])``, ``x.new_zeros(*x.shape)``,
    ``torch.zeros([b] + list(x.shape[1:]))``). A
    conversion to a Python number records the example input's size as a constant instead: the
    traced model is silently wrong for every other shape (``int(x.size(0))``,
    ``math.sqrt(q.size(-1))``, ``max(x.size(0), 4)``), or tracing fails (``round``). Ranks
    (``x.dim()``, ``x.ndim``) are plain ints while tracing anyway and are not reported here.

    ## Example
    ```python
    def forward(self, q):
        n = int(q.size(0))
        return q[:n] / math.sqrt(q.size(-1))
    ```

    ## Use instead
    ```python
    def forward(self, q):
        n = q.size(0)
        return q[:n] * q.size(-1) ** -0.5
    ```

    ## Fix safety
    ``int(<size>)`` is fixed by dropping the ``int()``: a size is already an int in eager
    mode, so this is safe. Other conversions have no automatic fix (``float`` changes dtype
    promotion, ``math`` functions have no exact dynamic equivalent).
    """

    code = "JIT303"
    name = "size-to-python"
    message = "a Tensor size converted to a Python number is a constant in the trace"
    mode = TRACE
    fix_safety = "safe"
    evidence = ("t003", "t033", "t041")

    INVALID = [
        Example(
            """
            import torch

            def fn(x):
                n = int(x.size(0))  # MARK
                return torch.ones(n, 1) * x.sum()
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 2),)]",
        ),
        Example(
            """
            import math
            import torch

            def fn(q):
                return q / math.sqrt(q.size(-1))  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 4),), (torch.ones(2, 9),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    n = max(x.size(0), 4)  # MARK
                    return torch.zeros(n)
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3),), (torch.ones(6),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                half = x.size(1) / 2
                return x.new_zeros(int(half))  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 4),), (torch.ones(3, 8),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                return x * float(x.shape[-1])  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 4),), (torch.ones(3, 9),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                return x.new_zeros(round(x.size(1) / 2))  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 4),), (torch.ones(3, 8),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                b, c, h, w = map(int, x.shape)  # MARK
                return x.reshape(b, c, h * w)
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 3, 4, 5),), (torch.ones(3, 2, 6, 8),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x):
                n = x.size(0)
                return torch.ones(n, 1) * x.sum()
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 2),)]",
        ),
        Example(
            """
            import math
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    b, c = x.shape
                    scale = x.size(-1) ** -0.5
                    y = x[:, : x.size(1) // 2] * scale * (x.size(1) / 2) * abs(x.size(1))
                    n = int(x.dim()) + len(x.shape) + math.prod(x.shape)
                    self.label = f"shape {int(b)}x{float(c)}"
                    return y.sum() + torch.zeros(x.numel()).sum() + n + x.new_zeros(int(math.sqrt(16)))
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 4),), (torch.ones(3, 10),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                n, c = x.shape[0], x.shape[1]
                a = torch.zeros(n, c, *x.shape[2:]) + x.new_zeros(*x.shape) + torch.ones(*x.size())
                b = torch.zeros([n] + list(x.shape[1:])) + x.new_ones((n,) + tuple(x.shape[1:]))
                d = torch.zeros([*x.shape[:2], 1, 1]) + torch.zeros(list(map(abs, x.shape)))
                return a + b + d + x.reshape(n, -1, *x.shape[2:])
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2, 3, 4, 5),), (torch.ones(3, 2, 6, 8),)]",
        ),
        Example(
            """
            import math
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.dim = 4

                def forward(self, x):
                    assert int(x.shape[1]) == self.dim, "expected 4 features"
                    torch._assert(math.sqrt(x.shape[1]) == 2.0, "expected a square feature count")
                    if float(x.shape[1]) != 4.0:
                        raise ValueError(f"expected 4 features, got {int(x.shape[1])}")
                    return x * 2
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(2, 4),), (torch.full((5, 4), 3.0),)]",
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
        if not node.args:
            return
        func = node.func
        if isinstance(func, cst.Name):
            if func.value not in ("int", "float", "bool", "round", "divmod", "max", "min", "map"):
                return
        elif not isinstance(func, cst.Attribute) or not isinstance(func.value, (cst.Name, cst.Attribute)):
            return
        else:
            head = head_target(func, ctx)
            if head is None or not head.startswith(("math", "numpy")):
                return
        qual = ctx.resolve(func)
        if qual is None:
            return
        if qual == "builtins.map":
            self._map(node, ctx)
            return
        what = self._what(qual)
        if what is None:
            return
        args = [a.value for a in node.args if a.keyword is None and not a.star]
        if qual in ("builtins.max", "builtins.min"):
            self._max_min(node, qual[9:], args, ctx)
            return
        if not args:
            return
        arg = args[0]
        if size_origin(arg, ctx) != "dyn" or input_free(arg, ctx) or in_diagnostic(node, ctx):
            return
        if in_raise_only_check(node, ctx):
            return  # `assert int(x.shape[1]) == self.dim`: decides nothing for inputs eager accepts
        code = ctx.code_of(arg)
        fix = None
        if qual == "builtins.int" and len(node.args) == 1 and ctx.type_of(arg) == SINT:
            replacement = code if isinstance(arg, _ATOMIC) else f"({code})"
            fix = ctx.safe_fix("Drop the `int()`: the size is already an int", [(node, replacement)])
            hint = f"use `{code}` directly (it is already an int)"
        elif qual.startswith("math."):
            hint = "use Tensor math on the size (e.g. `size ** -0.5`, `size // 2`) or a `@torch.jit.script_if_tracing` helper"
        else:
            hint = "keep the size as it is (arithmetic on it is traced) or use a `@torch.jit.script_if_tracing` helper"
        ctx.report(node, f"{what} of the size `{code}` bakes the example input's size into the trace: {hint}", fix=fix,
                   varies=size_groups(arg, ctx) or (ANY_SIZE,))

    @staticmethod
    def _what(qual: str) -> Optional[str]:
        if qual in _CONVERSIONS:
            return _CONVERSIONS[qual]
        if qual in ("builtins.max", "builtins.min"):
            return qual
        if qual.startswith("math.") and qual != "math.prod":
            return f"`{qual}()`"
        if qual.startswith("numpy."):
            return f"`{qual}()`"
        return None

    def _map(self, node: cst.Call, ctx) -> None:
        """``map(int, x.shape)``: each size converted to a Python number (checked with the
        tracer: ``b, c, h, w = map(int, x.shape)`` and ``map(float, x.shape[2:])`` bake;
        ``map(abs, x.shape)`` stays dynamic)."""
        args = node.args
        if len(args) != 2 or any(a.keyword is not None or a.star for a in args):
            return
        conv = ctx.resolve(args[0].value)
        sizes = args[1].value
        if conv not in ("builtins.int", "builtins.float", "builtins.bool") or ctx.type_of(sizes) != SIZE:
            return
        if size_origin(sizes, ctx) != "dyn" or input_free(sizes, ctx) or in_diagnostic(node, ctx):
            return
        if in_raise_only_check(node, ctx):
            return
        code = ctx.code_of(sizes)
        hint = (f"use `{code}` directly (its sizes are already ints)" if conv == "builtins.int" else
                "keep the sizes as they are (arithmetic on them is traced) or use a `@torch.jit.script_if_tracing` helper")
        ctx.report(node, f"`map({conv[9:]}, ...)` of the sizes `{code}` converts each one to a Python number, which "
                         f"bakes the example input's sizes into the trace: {hint}",
                   varies=size_groups(sizes, ctx) or (ANY_SIZE,))

    def _max_min(self, node: cst.Call, which: str, args, ctx) -> None:
        if len(args) == 1:
            sized = ctx.type_of(args[0]) == SIZE and size_origin(args[0], ctx) == "dyn"
        else:
            sized = any(size_origin(a, ctx) == "dyn" for a in args)
        if not sized or all(input_free(a, ctx) for a in args) or in_diagnostic(node, ctx):
            return
        if in_raise_only_check(node, ctx):
            return
        groups = ()
        for a in args:
            groups += size_groups(a, ctx)
        ctx.report(node, f"`{which}()` over sizes compares them in Python: the trace keeps the branch the example "
                         f"input took (`{ctx.code_of(node)}` is frozen): compute it in a `@torch.jit.script_if_tracing` "
                         f"helper, or avoid the comparison", varies=groups or (ANY_SIZE,))
