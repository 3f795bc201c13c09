import libcst as cst

from ..analysis.trace_dims import BATCH
from ..analysis.tracing import in_raise_only_check, input_free, tensor_requires
from .base import TRACE, Example, Rule

_ATOMIC = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)


class LenOfTensor(Rule):
    """
    ## What it does
    Flags ``len(x)`` of a Tensor in code that runs while ``torch.jit.trace`` traces (``forward``
    and what it calls, functions passed to ``torch.jit.trace``).

    ## Why is this bad?
    ``len(x)`` returns a plain Python ``int`` even while tracing, so the trace records the
    example input's first dimension as a constant ("Using len to get tensor shape might cause
    the trace to be incorrect"). ``torch.arange(len(x))`` then has the traced length for every
    later input, and the traced model raises or returns wrong results for other batch sizes.
    ``x.size(0)`` / ``x.shape[0]`` are recorded as ``aten::size`` and stay dynamic. A ``len()``
    in a check that only raises (``assert len(x) == n``, ``if len(x) != n: raise``) is not
    reported: it decides nothing for an input eager accepts.

    ## Example
    ```python
    def forward(self, x):
        n = len(x)
        return x + torch.arange(n).unsqueeze(1)
    ```

    ## Use instead
    ```python
    def forward(self, x):
        n = x.size(0)
        return x + torch.arange(n).unsqueeze(1)
    ```

    ## Fix safety
    Safe: ``x.size(0)`` is the same int as ``len(x)`` in eager mode (both raise for a 0-dim
    Tensor), and the trace keeps it dynamic.
    """

    code = "JIT301"
    name = "len-of-tensor"
    message = "`len()` of a Tensor is frozen into the trace: use `x.size(0)`"
    mode = TRACE
    fix_safety = "safe"
    evidence = ("t001",)

    INVALID = [
        Example(
            """
            import torch

            def fn(x):
                n = len(x)  # MARK
                return x + torch.arange(n).unsqueeze(1)
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.zeros(3, 2),), (torch.zeros(5, 2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    return x.new_ones(len(x[0]))  # MARK
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.zeros(3, 2),), (torch.zeros(3, 7),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x):
                n = x.size(0)
                return x + torch.arange(n).unsqueeze(1)
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.zeros(3, 2),), (torch.zeros(5, 2),)]",
        ),
        Example(
            """
            import torch
            from typing import List

            def fn(x):
                dims: List[int] = [2, 3]
                return x.reshape(x.shape[0], -1) * len(x.shape) + len(dims)
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.zeros(3, 2),), (torch.ones(5, 4),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                assert len(x) > 0, "empty batch"
                if len(x) != x.shape[0]:
                    raise ValueError("inconsistent batch")
                return x * 2
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.full((5, 2), 3.0),)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, cst.Name) or func.value != "len" or len(node.args) != 1:
            return
        arg = node.args[0]
        if arg.star or ctx.resolve(func) != "builtins.len":
            return
        requires = tensor_requires(arg.value, ctx)
        if requires is None:
            return
        if input_free(arg.value, ctx):
            return  # a buffer's or parameter's length is the same for every call
        if in_raise_only_check(node, ctx):
            return  # `assert len(x) == n` / `if len(x) != n: raise`: decides nothing for inputs eager accepts
        code = ctx.code_of(arg.value)
        receiver = code if isinstance(arg.value, _ATOMIC) else f"({code})"
        ctx.report(
            node,
            f"`len({code})` is a Python int frozen into the trace (the example input's first dimension): "
            f"use `{receiver}.size(0)`, which the tracer records dynamically",
            fix=ctx.safe_fix(f"Replace with `{receiver}.size(0)`", [(node, f"{receiver}.size(0)")]),
            requires=requires, varies=(BATCH,),
        )
