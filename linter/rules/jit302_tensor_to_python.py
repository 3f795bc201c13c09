from typing import Optional

import libcst as cst

from ..analysis.script_extraction import script_if_tracing_fix
from ..analysis.trace_dims import VALUES
from ..analysis.tracing import head_target, in_diagnostic, input_free, tensor_requires
from .base import TRACE, Example, Rule

_METHODS = {
    "item": "a Python number",
    "tolist": "a Python list",
    "numpy": "a NumPy array",
}
_TENSOR_METHODS_BOOL = frozenset({"equal", "allclose", "is_nonzero"})
_BUILTINS = {"builtins.int": "int", "builtins.float": "float", "builtins.bool": "bool", "builtins.complex": "complex"}
_TORCH_BOOL = frozenset({"torch.equal", "torch.allclose", "torch.is_nonzero"})


class TensorToPython(Rule):
    """
    ## What it does
    Flags conversions of Tensor *values* to Python objects in code that runs while
    ``torch.jit.trace`` traces: ``x.item()``, ``x.tolist()``, ``x.numpy()``, ``int(x)``,
    ``float(x)``, ``bool(x)``, ``math.*`` functions of a Tensor, NumPy functions given a
    Tensor, and ``torch.equal``/``torch.allclose``/``x.equal(y)`` (they return a Python bool).

    ## Why is this bad?
    The tracer records Tensor operations only. A Python number, list, array or bool read out of
    a Tensor is a constant in the trace: the value of the *example* input is baked in and the
    traced model returns wrong results for every other input, silently ("Converting a tensor to
    a Python number might cause the trace to be incorrect" is the only hint). Conversions that
    only feed ``print``/logging/f-strings or an exception message are not reported; neither are
    conversions of module state (``self.scale.item()``), which is the same for every call.

    ## Example
    ```python
    def forward(self, x):
        m = x.mean().item()
        k = int(x.max())
        return (x - m) * torch.arange(k)
    ```

    ## Use instead
    Keep values as (0-dim) Tensors, which broadcast in Tensor math, or move the Python logic into
    a ``@torch.jit.script_if_tracing`` helper, which is scripted and keeps its control flow:
    ```python
    @torch.jit.script_if_tracing
    def _scaled(x: torch.Tensor) -> torch.Tensor:
        k = int(x.max())
        return (x - x.mean()) * torch.arange(k)

    def forward(self, x):
        return _scaled(x)
    ```

    ## Fix safety
    The fix (``--unsafe-fixes``) moves the logic the value drives into a new module-level
    ``@torch.jit.script_if_tracing`` function: the ``if``/``while``/``for`` whose header holds
    the conversion, or, for a conversion in a plain statement of the function's own body, that
    statement and the rest of the function (``return _fn_scripted(x)``). Eagerly nothing
    changes, but it is unsafe: while tracing, the helper is compiled by ``torch.jit.script``,
    so code TorchScript rejects or types differently (``tolist()`` without an annotation, NumPy,
    ``math`` on a Tensor) fails (loudly) at trace time, and results later code reads must be
    Tensors. It is refused for values of unknown type, values frozen before the block, results
    assigned on some paths only, and calls of ``self``'s methods or submodules. Replacing the
    value by a 0-dim Tensor is not proposed: whether that works depends on how the value is
    used (shapes, Python control flow, dtype promotion).
    """

    code = "JIT302"
    name = "tensor-to-python"
    message = "a Tensor value converted to Python is a constant in the trace"
    mode = TRACE
    varies = (VALUES,)
    fix_safety = "unsafe"
    evidence = ("t004", "t005", "t006", "t007", "t039", "t040")

    INVALID = [
        Example(
            """
            import torch

            def fn(x):
                m = x.mean().item()  # MARK
                return x - m
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 3.0]),), (torch.tensor([10.0, 30.0]),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                k = int(x.max())  # MARK
                return torch.arange(k) * 2.0
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 3.0]),), (torch.tensor([2.0, 5.0]),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                vals = x.tolist()  # MARK
                return torch.tensor([v * 2 for v in vals])
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 3.0]),), (torch.tensor([10.0, 30.0, 5.0]),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    flag = bool((x > 0).all())  # MARK
                    return x * 2 if flag else x * 3
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 2.0]),), (torch.tensor([-1.0, 2.0]),)]",
        ),
        Example(
            """
            import math
            import torch

            def fn(x):
                return x / math.sqrt(x.sum())  # MARK
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 3.0]),), (torch.tensor([8.0, 1.0]),)]",
        ),
        Example(
            """
            import torch

            def fn(x, y):
                if torch.equal(x, y):  # MARK
                    return x * 2
                return x
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(2), torch.ones(2)), (torch.ones(2), torch.zeros(2))]",
        ),
        Example(
            """
            import torch

            def fn(x):
                return torch.full((x.shape[0],), x.max().item())  # MARK
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 3.0]),), (torch.tensor([7.0, 2.0, 1.0]),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x):
                m = x.mean()
                label = f"mean {m.item()} ({float(m):.2f})"
                return x - m
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 3.0]),), (torch.tensor([10.0, 30.0]),)]",
        ),
        Example(
            """
            import torch

            @torch.jit.script_if_tracing
            def _scaled(x: torch.Tensor) -> torch.Tensor:
                k = int(x.max())
                return torch.arange(k) * float(x.mean())

            def fn(x):
                return _scaled(x) + x.max().expand(2)
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 2.0]),), (torch.tensor([2.0, 1.0]),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.register_buffer("scale", torch.tensor(3.0))

                def forward(self, x):
                    y = x * self.scale.item()
                    self.label = f"sum {y.sum().item():.3f}, max " + str(y.max().item())
                    return y
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 2.0]),), (torch.tensor([2.0, 5.0]),)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in _METHODS or method in _TENSOR_METHODS_BOOL:
                if ctx.resolve(func) is not None:
                    self._qualified(node, ctx)
                    return
                requires = tensor_requires(func.value, ctx)
                if requires is None or self._exempt(node, func.value, ctx):
                    return
                code = ctx.code_of(func.value)
                if method in _METHODS:
                    what = _METHODS[method]
                    msg = (f"`{code}.{method}()` turns a Tensor into {what}, which the trace records as a constant "
                           f"(the value computed while tracing): keep it a Tensor, or move this logic into a "
                           f"`@torch.jit.script_if_tracing` helper")
                else:
                    msg = (f"`{code}.{method}(...)` returns a Python bool, baked into the trace for every input: "
                           f"use Tensor ops (`torch.where`) or a `@torch.jit.script_if_tracing` helper")
                ctx.report(node, msg, requires=requires, fix=_fix(node, ctx, requires))
                return
            if isinstance(func.value, (cst.Name, cst.Attribute)):
                self._qualified(node, ctx)
            return
        if isinstance(func, cst.Name):
            self._qualified(node, ctx)

    def _qualified(self, node: cst.Call, ctx) -> None:
        if not node.args:
            return
        func = node.func
        if isinstance(func, cst.Name):
            if func.value not in ("int", "float", "bool", "complex", "equal", "allclose", "is_nonzero"):
                head = head_target(func, ctx)
                if head is None or not head.startswith(("math", "numpy", "torch")):
                    return
        else:
            head = head_target(func, ctx)
            if head is None or not head.startswith(("math", "numpy", "torch")):
                return
        qual = ctx.resolve(func)
        if qual is None:
            return
        what: Optional[str] = None
        if qual in _BUILTINS:
            if len(node.args) != 1:
                return
            what = f"`{_BUILTINS[qual]}()`"
        elif qual.startswith("math.") and qual != "math.prod":
            what = f"`{qual}()`"
        elif qual.startswith("numpy.") and not qual.startswith("numpy.random."):
            what = f"`{qual}()` (via a NumPy array)"
        elif qual in _TORCH_BOOL:
            tensors = [tensor_requires(a.value, ctx) for a in node.args[:2]]
            if any(r is None for r in tensors) or self._exempt(node, node.args[0].value, ctx):
                return
            if all(input_free(a.value, ctx) for a in node.args[:2]):
                return
            ctx.report(node, f"`{qual}()` returns a Python bool, baked into the trace for every input: use Tensor "
                             f"ops (`torch.where`) or a `@torch.jit.script_if_tracing` helper",
                       requires=tuple(p for r in tensors for p in r),
                       fix=_fix(node, ctx, tuple(p for r in tensors for p in r)))
            return
        else:
            return
        for arg in node.args:
            if arg.keyword is not None or arg.star:
                continue
            requires = tensor_requires(arg.value, ctx)
            if requires is None or self._exempt(node, arg.value, ctx):
                continue
            ctx.report(node, f"{what} of the Tensor `{ctx.code_of(arg.value)}` reads its value into Python: the "
                             f"trace records the value computed while tracing as a constant. Keep it a Tensor, or move "
                             f"this logic into a `@torch.jit.script_if_tracing` helper", requires=requires,
                       fix=_fix(node, ctx, requires))
            return

    @staticmethod
    def _exempt(node: cst.Call, receiver: cst.BaseExpression, ctx) -> bool:
        return input_free(receiver, ctx) or in_diagnostic(node, ctx)


def _fix(node: cst.Call, ctx, requires: tuple = ()):
    """Move the logic the value drives into a ``@torch.jit.script_if_tracing`` helper: the
    ``if``/``while``/``for`` whose header holds the call, or, for a call in a plain statement of
    the function's own body, that statement and the rest of the function. Not for
    ``tolist()``/``numpy()``/NumPy functions: TorchScript rejects them (an unannotated
    ``tolist()``, any NumPy), so the helper would only move the failure to trace time."""
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value in ("tolist", "numpy"):
        return None
    qual = ctx.resolve(func)
    if qual is not None and qual.startswith("numpy."):
        return None
    for p in reversed(ctx.parents):
        if isinstance(p, (cst.If, cst.While)):
            keyword = "if" if isinstance(p, cst.If) else "while"
            return script_if_tracing_fix(p, p.test, ctx, what=f"the `{keyword} {ctx.code_of(p.test)}:` block",
                                         requires=requires)
        if isinstance(p, cst.For):
            if p.orelse is not None:
                return None
            return script_if_tracing_fix(p, p.iter, ctx, what=f"the `for ... in {ctx.code_of(p.iter)}:` loop",
                                         requires=requires)
        if isinstance(p, cst.SimpleStatementLine):
            return script_if_tracing_fix(p, node, ctx, extend=True, requires=requires,
                                         what=f"the code from `{ctx.code_of(node)}` to the end")
        if isinstance(p, cst.BaseCompoundStatement):
            return None
    return None
