import libcst as cst

from ..analysis.compiled import never_compiled
from ..analysis.module_partials import partial_globals
from .base import Example, Rule


class PartialGlobalCall(Rule):
    """
    ## What it does
    Flags calls from compiled code to a module-level ``functools.partial`` object
    (``gelu_tanh = functools.partial(F.gelu, approximate="tanh")`` at the top of the file, then
    ``gelu_tanh(x)`` in ``forward``). Only names bound once in the file are considered.

    ## Why is this bad?
    TorchScript cannot compile a ``partial`` object, and does not reject it either: the call is
    compiled as a call back into the Python object (``^<python_value>()(x)`` in the scripted
    code). The scripted module runs, and matches eager, in the process that scripted it, but
    ``torch.jit.save`` fails ("Could not export Python function call '<python_value>'. Remove
    calls to Python functions before export"), so it cannot be deployed without Python. (The
    same object held in a module attribute is rejected outright: JIT137/JIT161.)

    ## Example
    ```python
    gelu_tanh = functools.partial(F.gelu, approximate="tanh")

    def forward(self, x):
        return gelu_tanh(x)
    ```

    ## Use instead
    ```python
    def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
        return F.gelu(x, approximate="tanh")
    ```

    ## Fix safety
    No automatic fix: the ``def`` needs the annotations of the wrapped function's parameters.
    """

    code = "JIT504"
    name = "partial-global-call"
    message = "compiled code calls a module-level functools.partial object"

    INVALID = [
        Example(
            """
            import functools
            import torch
            import torch.nn.functional as F

            gelu_tanh = functools.partial(F.gelu, approximate="tanh")

            def fn(x: torch.Tensor) -> torch.Tensor:
                return gelu_tanh(x) + 1  # MARK
            """,
            expect="save-fails",
        ),
        Example(
            """
            from functools import partial
            import torch
            from torch import nn

            clamp01 = partial(torch.clamp, min=0.0, max=1.0)

            class M(nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return clamp01(x * 2)  # MARK
            """,
            root="M",
            expect="save-fails",
        ),
    ]
    VALID = [
        Example(
            """
            from functools import partial
            import torch
            import torch.nn.functional as F
            from torch import nn

            norm_layer = partial(nn.LayerNorm, eps=1e-6)
            gelu_tanh = partial(F.gelu, approximate="tanh")

            def gelu_exact(x: torch.Tensor) -> torch.Tensor:
                return F.gelu(x, approximate="tanh")

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.norm = norm_layer(3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if not torch.jit.is_scripting():
                        x = gelu_tanh(x)
                    return gelu_exact(self.norm(x))
            """,
            root="M",
            inputs="[(torch.ones(2, 3),)]",
            expect="save-fails",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, cst.Name) or never_compiled(ctx):
            return
        if ctx.infer is not None and func.value in ctx.infer.locals:
            return
        call = partial_globals(ctx).get(func.value)
        if call is None:
            return
        ctx.report(node, f"`{func.value}` is a module-level `functools.partial` object "
                         f"(`{func.value} = {ctx.code_of(call)}`): torch.jit.script compiles this call as a call "
                         f"back into Python, so the scripted code runs here but `torch.jit.save` fails (\"Could not "
                         f"export Python function call '<python_value>'\"); use a module-level `def` that passes "
                         f"the bound arguments")
