import libcst as cst

from .base import FILE, Example, Rule

_OPTIMIZE = frozenset({
    "torch.jit.script", "torch.jit._script.script", "torch.jit.trace", "torch.jit._trace.trace",
    "torch.jit.trace_module", "torch.jit._trace.trace_module",
})
_IGNORE = frozenset({"torch.jit.ignore", "torch._jit_internal.ignore"})


def _arg_code(arg: cst.Arg, ctx) -> str:
    value = ctx.code_of(arg.value)
    if arg.keyword is not None:
        return f"{arg.keyword.value}={value}"
    return f"{arg.star}{value}"


def _truthy_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value == "True"
    if isinstance(node, cst.Integer):
        return node.value not in ("0",)
    return False


class DeprecatedJitArgument(Rule):
    """
    ## What it does
    Flags deprecated arguments of TorchScript APIs: ``optimize=`` passed to ``torch.jit.script``,
    ``torch.jit.trace`` or ``torch.jit.trace_module``, and ``torch.jit.ignore(True)`` /
    ``torch.jit.ignore(drop=True)`` / ``ignore(drop_on_export=True)``.

    Opt-in: not in the default selection; enable it with `extend-select = ["JIT403"]`
    (or `--extend-select JIT403`, or `ALL`).

    ## Why is this bad?
    Both emit a ``FutureWarning`` in torch 2.13. ``optimize`` "is deprecated and has no effect"
    (any value other than ``None`` warns; ``torch.jit.optimized_execution()`` is the context
    manager that replaced it). ``ignore(drop=True)`` "has been deprecated. TorchScript will now
    drop the function call on compilation. Use torch.jit.unused now": it does exactly what
    ``@torch.jit.unused`` does.

    ## Example
    ```python
    @torch.jit.ignore(drop=True)
    def debug_only(self, x):
        ...

    scripted = torch.jit.script(model, optimize=True)
    ```

    ## Use instead
    ```python
    @torch.jit.unused
    def debug_only(self, x):
        ...

    scripted = torch.jit.script(model)
    ```

    ## Fix safety
    Safe: ``optimize`` has no effect, and ``ignore(drop=True)`` marks the function exactly like
    ``torch.jit.unused``. The fixes are offered only when the replacement can be spelled with the
    file's own prefix (``torch.jit.ignore(...)`` -> ``torch.jit.unused``).
    """

    code = "JIT403"
    name = "deprecated-jit-argument"
    message = "deprecated TorchScript argument (FutureWarning in torch 2.13)"
    mode = FILE
    # Opt-in (as ruff keeps deprecation-style rules): teams shipping TorchScript know it is
    # deprecated, and a report at every compile call would keep fixed code from ever passing.
    default = False
    fix_safety = "safe"
    evidence = ("m001",)

    INVALID = [
        Example(
            """
            import torch

            def f(x: torch.Tensor) -> torch.Tensor:
                return x + 1

            def run():
                return torch.jit.trace(f, (torch.ones(2),), optimize=True)  # MARK
            """,
            root="run", expect="warns",
        ),
        Example(
            """
            import torch

            def f(x: torch.Tensor) -> torch.Tensor:
                return x + 1

            def run():
                return torch.jit.ignore(drop=True)(f)  # MARK
            """,
            root="run", expect="warns",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def f(x: torch.Tensor) -> torch.Tensor:
                return x + 1

            def run():
                g = torch.jit.unused(f)
                h = torch.jit.ignore(drop=False)(f)
                return g, h, torch.jit.ignore(f)
            """,
            root="run", expect="warns",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                @torch.jit.unused
                def debug(self, x: torch.Tensor) -> torch.Tensor:
                    return x

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if self.training:
                        return self.debug(x)
                    return x * 2

            def run():
                return M().eval()(torch.ones(2))
            """,
            root="run", expect="warns",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not node.args or not isinstance(func, (cst.Attribute, cst.Name)):
            return
        last = func.attr.value if isinstance(func, cst.Attribute) else func.value
        if last not in ("script", "trace", "trace_module", "ignore"):
            return
        qual = ctx.resolve(func)
        if qual in _OPTIMIZE:
            self._optimize(node, qual, ctx)
        elif qual in _IGNORE:
            self._ignore(node, func, ctx)

    def _optimize(self, node: cst.Call, qual: str, ctx) -> None:
        arg = next((a for a in node.args if a.keyword is not None and a.keyword.value == "optimize"), None)
        if arg is None or (isinstance(arg.value, cst.Name) and arg.value.value == "None"):
            return
        kept = ", ".join(_arg_code(a, ctx) for a in node.args if a is not arg)
        code = f"{ctx.code_of(node.func)}({kept})"
        ctx.report(arg, f"`optimize=` of `{qual}` is deprecated and has no effect (FutureWarning): remove it "
                        f"(`torch.jit.optimized_execution()` controls optimisation)",
                   fix=ctx.safe_fix("Remove `optimize=`", [(node, code)]))

    def _ignore(self, node: cst.Call, func, ctx) -> None:
        drop = None
        for arg in node.args:
            if arg.keyword is None and drop is None:
                drop = arg
            elif arg.keyword is not None and arg.keyword.value in ("drop", "drop_on_export"):
                drop = arg
        if drop is None or not _truthy_literal(drop.value):
            return
        fix = None
        if len(node.args) == 1 and isinstance(func, cst.Attribute) and func.attr.value == "ignore":
            code = ctx.code_of(func.value) + ".unused"
            fix = ctx.safe_fix(f"Use `{code}`", [(node, code)])
        ctx.report(node, f"`{ctx.code_of(node)}` (ignore with drop=True) is deprecated (FutureWarning): use "
                         f"`@torch.jit.unused`, which does the same", fix=fix)
