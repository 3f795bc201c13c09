from typing import Optional

import libcst as cst

from ..analysis.compiled import JIT_FLAGS, decorator_name
from ..analysis.trace_dims import ANY_SIZE, size_groups
from ..analysis.tracing import input_free, size_origin, track_assignment, track_loop_target
from ..analysis.typecheck.lattice import SINT, SIZE, kind
from .base import TRACE, Example, Rule

_SCRIPTED = ("script", "script_if_tracing")
_DECORATORS = {"script": "@torch.jit.script", "script_if_tracing": "@torch.jit.script_if_tracing"}


def _scripted_flag(fn: cst.FunctionDef, ctx) -> Optional[str]:
    """"script" / "script_if_tracing" for a def decorated with that (bare or called)."""
    for dec in fn.decorators:
        flag = JIT_FLAGS.get(decorator_name(dec, ctx.names))
        if flag in _SCRIPTED:
            return flag
    return None


class SizeToScriptedCall(Rule):
    """
    ## What it does
    Flags sizes of a Tensor (``x.size(0)``, ``x.shape``, ``list(x.shape)``, ``[h, w]`` with
    ``h, w = x.shape[-2:]``, arithmetic on them) passed as arguments to a function compiled by
    TorchScript, a ``@torch.jit.script`` or ``@torch.jit.script_if_tracing`` function, in code
    that runs while ``torch.jit.trace`` traces.

    ## Why is this bad?
    While tracing, sizes are recorded as they flow through Python and torch calls, so
    ``torch.zeros(n, c, *x.shape[2:])`` or ``x.view(x.size(0), -1)`` stay dynamic. A scripted
    function is different: the tracer hands it its ``int`` / ``List[int]`` arguments as
    constants, so the trace calls it with the example input's sizes for every later input,
    silently and with no TracerWarning. This defeats the usual advice to move shape-dependent
    logic into a ``@torch.jit.script_if_tracing`` helper: the helper is dynamic only in what it
    computes itself from its Tensor arguments.

    ## Example
    ```python
    @torch.jit.script_if_tracing
    def crop(x: torch.Tensor, n: int) -> torch.Tensor:
        return x[:n]

    def forward(self, x):
        return crop(x, x.size(0) - 1)
    ```

    ## Use instead
    ```python
    @torch.jit.script_if_tracing
    def crop(x: torch.Tensor) -> torch.Tensor:
        return x[: x.size(0) - 1]

    def forward(self, x):
        return crop(x)
    ```

    ## Fix safety
    No automatic fix: the size has to be computed inside the helper, from a Tensor argument.
    """

    code = "JIT316"
    name = "size-to-scripted-call"
    message = "a size passed to a TorchScript function is a constant in the trace"
    mode = TRACE

    INVALID = [
        Example(
            """
            import torch

            @torch.jit.script_if_tracing
            def crop(x: torch.Tensor, n: int) -> torch.Tensor:
                return x[:n]

            def fn(x):
                return crop(x, x.size(0) - 1)  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 2),)]",
        ),
        Example(
            """
            from typing import List

            import torch
            from torch import nn

            @torch.jit.script
            def blank(shape: List[int]) -> torch.Tensor:
                return torch.zeros(shape)

            class M(nn.Module):
                def forward(self, x):
                    return x + blank(list(x.shape))  # MARK
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 4),)]",
        ),
        Example(
            """
            from typing import List

            import torch

            @torch.jit.script_if_tracing
            def grid(x: torch.Tensor, size: List[int]) -> torch.Tensor:
                return x.new_zeros(size)

            def fn(x):
                h, w = x.shape[-2:]
                return grid(x, [h * 2, w])  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(1, 3, 2),), (torch.ones(1, 5, 4),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from torch import nn

            @torch.jit.script_if_tracing
            def crop(x: torch.Tensor, k: int) -> torch.Tensor:
                return x[: x.size(0) - k]

            def pad_rows(x, n):
                return torch.cat([x, x.new_zeros(n, x.size(1))])

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.k = 1

                def forward(self, x):
                    y = crop(x, 1) + crop(x, self.k)
                    return pad_rows(y, x.size(0))
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 2),)]",
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
        func = node.func
        if not node.args or not isinstance(func, cst.Name):
            return
        name = func.value
        if ctx.infer is not None and name in ctx.infer.locals:
            return
        binding = ctx.names.bindings.get(name)
        if binding is None:
            return
        local = ctx.file.function_nodes.get(name) if binding.kind == "function" else None
        if binding.kind == "function":
            if local is None:
                return
            flag = _scripted_flag(local, ctx)
            if flag is None:
                return
            flags = ((flag, ()),)
        elif binding.kind == "import" and not binding.target.startswith(("torch", "torchvision")) \
                and not name[:1].isupper():
            flags = tuple((f, (("function_flag", binding.target, f),)) for f in _SCRIPTED)
        else:
            return
        for arg in node.args:
            if arg.star:
                continue
            shown = self._size_argument(arg.value, ctx)
            if shown is None:
                continue
            for flag, requires in flags:
                ctx.report(arg.value, f"`{name}()` is compiled by TorchScript (`{_DECORATORS[flag]}`): the tracer passes "
                                      f"it {shown} as a constant, so the trace calls it with the example input's sizes "
                                      f"for every later input (no TracerWarning). Pass the Tensor and take the size "
                                      f"inside `{name}()`", requires=requires,
                           varies=size_groups(arg.value, ctx) or (ANY_SIZE,))
            return

    @staticmethod
    def _size_argument(value: cst.BaseExpression, ctx) -> Optional[str]:
        if input_free(value, ctx):
            return None
        if size_origin(value, ctx) == "dyn":
            what = "sizes" if ctx.type_of(value) == SIZE else "size"
            return f"the {what} `{ctx.code_of(value)}`"
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and len(value.args) == 1:
            if ctx.resolve(value.func) in ("builtins.list", "builtins.tuple"):
                inner = value.args[0].value
                if ctx.type_of(inner) == SIZE and size_origin(inner, ctx) == "dyn":
                    return f"the sizes `{ctx.code_of(value)}`"
            return None
        if isinstance(value, (cst.List, cst.Tuple)):
            for el in value.elements:
                if isinstance(el, cst.StarredElement):
                    if ctx.type_of(el.value) == SIZE and size_origin(el.value, ctx) == "dyn":
                        return f"the sizes `{ctx.code_of(value)}`"
                elif size_origin(el.value, ctx) == "dyn":
                    return f"the sizes `{ctx.code_of(value)}`"
            return None
        if isinstance(value, cst.Name):
            t = ctx.type_of(value)
            if kind(t) == "list" and t[1] == SINT:
                return f"the sizes `{value.value}`"
        return None
