import libcst as cst

from ..analysis.hoisting import NotHoistable, file_source, plan_lambda_to_def
from .base import Example, Rule


class Lambda(Rule):
    """
    ## What it does
    Flags ``lambda`` expressions in code that ``torch.jit.script`` compiles: assigned to a
    local, passed as an argument (``sorted(xs, key=lambda v: -v)``), or called in place.

    ## Why is this bad?
    TorchScript has no anonymous functions: the frontend rejects every ``Lambda`` node
    ("Lambda aren't supported"). Like all frontend errors it fires even inside
    ``if not torch.jit.is_scripting():``, and even when the lambda is never called.
    (A lambda stored on ``self`` in ``__init__`` is a different problem: ``__init__`` is not
    compiled, the attribute's type is.)

    ## Example
    ```python
    def forward(self, x):
        act = lambda t: t * torch.sigmoid(t)
        return act(x)
    ```

    ## Use instead
    A module-level function (captured values become parameters), or the expression inlined:
    ```python
    def _swish(t: torch.Tensor) -> torch.Tensor:
        return t * torch.sigmoid(t)

    def forward(self, x):
        return _swish(x)
    ```

    ## Fix safety
    Unsafe (applied with ``--unsafe-fixes``), for a lambda assigned to a name in the function
    (``f = lambda t: t * 2``, the name bound nowhere else there): the codemod ``lambda-to-def``
    writes the same function as a nested ``def f(t): return t * 2`` at the same place, which
    JIT104's fix can then move to module level. Calls compute the same; what differs is the
    function object's ``__name__``/``__qualname__`` (``<lambda>`` before), which code may
    inspect. Other lambdas (a ``key=`` argument, a lambda stored in a container) have no fix:
    they need a name and, for captured variables, parameters.
    """

    code = "JIT103"
    name = "lambda"
    fix_safety = "unsafe"
    message = "`lambda` is not supported by torch.jit.script: use a module-level `def`"
    frontend = True
    evidence = ("s008",)

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                f = lambda t: t * 2  # MARK
                return f(x)
            """
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                sizes: List[int] = [3, 1, 2]
                if not torch.jit.is_scripting():
                    sizes = sorted(sizes, key=lambda v: -v)  # MARK
                return x * sizes[0]
            """
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def _double(t: torch.Tensor) -> torch.Tensor:
                return t * 2

            def fn(x: torch.Tensor) -> torch.Tensor:
                return _double(x)
            """
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                sizes: List[int] = [3, 1, 2]
                sizes.sort(reverse=True)
                return x * sizes[0]
            """
        ),
    ]

    def visit_Lambda(self, node: cst.Lambda, ctx) -> None:
        ctx.report(node, "`lambda` is not supported by torch.jit.script (the frontend rejects it even in "
                         "code that never runs): use a module-level `def` or inline the expression",
                   fix=_def_fix(node, ctx))


def _def_fix(node: cst.Lambda, ctx):
    """``f = lambda ...`` -> ``def f(...): return ...`` (codemod ``lambda-to-def``)."""
    fn, parent = ctx.function, ctx.parent
    if fn is None or ctx.nested or fn.qualname.count(".") > 1:
        return None
    if not (isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1
            and isinstance(parent.targets[0].target, cst.Name)):
        return None
    name = parent.targets[0].target.value
    try:
        plan_lambda_to_def(file_source(ctx.file), fn.qualname, name)
    except NotHoistable:
        return None
    return ctx.unsafe_fix(f"Write `{name}` as a `def`", (), codemod=("lambda-to-def", (fn.qualname, name)))
