from typing import Optional, Set

import libcst as cst

from ..analysis.names import dotted_name
from .base import Example, Rule

_FUNCTION_BASES = frozenset({
    "torch.autograd.Function", "torch.autograd.function.Function", "torch.autograd.function.InplaceFunction",
    "torch.autograd.InplaceFunction",
})


def _local_autograd_function(name: str, ctx, seen: Optional[Set[str]] = None) -> Optional[bool]:
    """True/False for a class of this file (through local base classes), None when a base
    lies elsewhere (the project predicate decides)."""
    seen = seen or set()
    node = ctx.file.class_nodes.get(name)
    if node is None or name in seen:
        return None if node is None else False
    seen.add(name)
    unknown = False
    for base in node.bases:
        if base.keyword is not None:
            continue
        dotted = dotted_name(base.value)
        if dotted is None:
            continue
        if ctx.names.resolve(dotted) in _FUNCTION_BASES:
            return True
        if dotted in ctx.file.class_nodes:
            inner = _local_autograd_function(dotted, ctx, seen)
            if inner:
                return True
            unknown = unknown or inner is None
        elif not (ctx.names.resolve(dotted) or "").startswith(("torch.", "builtins.")):
            unknown = True
    return None if unknown else False


class AutogradFunctionInScript(Rule):
    """
    ## What it does
    Flags ``SomeFunction.apply(...)`` in compiled code when ``SomeFunction`` subclasses
    ``torch.autograd.Function`` (in this file or elsewhere in the project).

    ## Why is this bad?
    TorchScript cannot compile custom autograd functions. In torch 2.13 ``torch.jit.script``
    accepts the call by turning it into a call back into Python, so the module scripts and
    runs in the same process, but ``torch.jit.save`` fails ("Could not export Python function
    call 'Double'"): the model cannot be deployed without its Python source.

    ## Example
    ```python
    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class M(nn.Module):
        def forward(self, x):
            return Double.apply(x)
    ```

    ## Use instead
    Express the computation with differentiable torch operations (autograd then derives the
    backward), or keep the custom function for eager training and give TorchScript a plain
    path:
    ```python
    class M(nn.Module):
        def forward(self, x):
            if torch.jit.is_scripting():
                return x * 2
            return Double.apply(x)
    ```

    ## Fix safety
    No automatic fix: a custom backward cannot be translated mechanically.
    """

    code = "JIT502"
    name = "autograd-function-in-script"
    message = "torch.autograd.Function called from compiled code: the module cannot be saved"
    evidence = ("s511",)

    INVALID = [
        Example(
            """
            import torch

            class Double(torch.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    return x * 2

                @staticmethod
                def backward(ctx, g):
                    return g * 2

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return Double.apply(x)  # MARK
            """,
            root="M",
            expect="save-fails",
        ),
        Example(
            """
            import torch
            from torch.autograd import Function

            class _Base(Function):
                pass

            class Clamp(_Base):
                @staticmethod
                def forward(ctx, x):
                    return x.clamp(0, 1)

                @staticmethod
                def backward(ctx, g):
                    return g

            def fn(x: torch.Tensor) -> torch.Tensor:
                return Clamp.apply(x) + 1  # MARK
            """,
            expect="save-fails",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            class Double(torch.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    return x * 2

                @staticmethod
                def backward(ctx, g):
                    return g * 2

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if torch.jit.is_scripting():
                        return x * 2
                    return Double.apply(x)
            """,
            root="M",
            expect="save-fails",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "apply":
            return
        owner = func.value
        dotted = dotted_name(owner)
        if dotted is None or (ctx.infer is not None and dotted.split(".")[0] in ctx.infer.locals):
            return
        if dotted in ("self", "cls") or dotted.startswith("self."):
            return
        local = _local_autograd_function(dotted, ctx) if "." not in dotted else None
        message = (f"`{dotted}` is a `torch.autograd.Function`: TorchScript leaves `{dotted}.apply(...)` as a "
                   "call back into Python, so the scripted module runs here but `torch.jit.save` fails (\"Could "
                   "not export Python function call\"); use differentiable torch ops for the compiled path")
        if local is True:
            ctx.report(node, message)
            return
        if local is False:
            return
        qual = ctx.resolve(owner)
        if qual is None or qual.startswith(("torch.", "builtins.")):
            return
        ctx.report(node, message, requires=(("class_is", qual, "autograd_function"),))
