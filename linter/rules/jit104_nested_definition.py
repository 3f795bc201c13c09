import libcst as cst

from ..analysis.hoisting import NotHoistable, file_source, plan_nested
from ..analysis.syntax import iter_descendants
from .base import Example, Rule


class NestedDefinition(Rule):
    """
    ## What it does
    Flags ``def`` and ``class`` statements inside a function that ``torch.jit.script``
    compiles (closures, local helper functions, local classes; ``nonlocal`` can only appear in
    such a nested ``def``).

    ## Why is this bad?
    The TorchScript frontend compiles one function at a time and rejects definitions in its
    body ("function definitions aren't supported", "class definitions aren't supported"),
    whatever decorator the nested ``def`` carries (``@torch.jit.ignore`` included). It is a
    frontend error, so an ``if not torch.jit.is_scripting():`` guard does not hide it.

    ## Example
    ```python
    def fn(x: torch.Tensor, k: float) -> torch.Tensor:
        def inner(t: torch.Tensor) -> torch.Tensor:
            return t * k
        return inner(x)
    ```

    ## Use instead
    Hoist the function (or class) to module level and pass the captured variables in:
    ```python
    def _inner(t: torch.Tensor, k: float) -> torch.Tensor:
        return t * k

    def fn(x: torch.Tensor, k: float) -> torch.Tensor:
        return _inner(x, k)
    ```

    ## Fix safety
    Unsafe (applied with ``--unsafe-fixes``): the fix (codemod ``hoist-nested``) moves the
    definition to module level as ``_name`` (placed before the top-level statement holding the
    function) and renames the function's uses. A ``def`` that reads parameters of the function
    gets them as trailing parameters, with the same annotations, and every call passes them.
    It is offered only when eager Python computes the same: the definition reads no other local
    of the function (a parameter it reads is never reassigned), it is bound once and only
    called (a class may also be used as a value), no other nested scope reads it, its defaults
    are literals and its decorators, defaults and annotations read no local. What still
    differs, and why the fix is unsafe: the ``def``/``class`` statement runs once at import
    instead of at each call (its decorators too), so the function or class object is shared
    between calls (identity, attributes set on it, a class's class-level state), and the
    module gains a name. A closure writing through ``nonlocal`` is left alone.
    """

    code = "JIT104"
    name = "nested-definition"
    fix_safety = "unsafe"
    message = "nested `def`/`class` is not supported by torch.jit.script: hoist it to module level"
    frontend = True
    evidence = ("s009", "s014", "s036")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, k: float) -> torch.Tensor:
                def inner(t: torch.Tensor) -> torch.Tensor:  # MARK
                    return t * k
                return inner(x)
            """,
            inputs="[(torch.ones(3), 2.0)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                acc = x

                def add(t: torch.Tensor):  # MARK
                    nonlocal acc
                    acc = acc + t
                add(x)
                return acc
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                class Box:  # MARK
                    pass
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    @torch.jit.ignore
                    def show(t: torch.Tensor) -> None:  # MARK
                        print(t)
                    show(x)
                return x
            """
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def _inner(t: torch.Tensor, k: float) -> torch.Tensor:
                return t * k

            def fn(x: torch.Tensor, k: float) -> torch.Tensor:
                return _inner(x, k)
            """,
            inputs="[(torch.ones(3), 2.0)]",
        ),
        Example(
            """
            import torch

            class Box:
                def __init__(self, v: torch.Tensor):
                    self.v = v

            def fn(x: torch.Tensor) -> torch.Tensor:
                return Box(x).v + 1
            """
        ),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx) -> None:
        name = node.name.value
        if any(isinstance(n, cst.Nonlocal) for n in iter_descendants(node.body)):
            msg = (f"nested function `{name}` (with `nonlocal`) is not supported by torch.jit.script: hoist it "
                   f"to module level, pass the captured values in and return the updated ones")
        else:
            msg = (f"nested function `{name}` is not supported by torch.jit.script: hoist it to module level "
                   f"and pass captured variables as parameters")
        ctx.report(node, msg, fix=_hoist_fix(node, ctx))

    def visit_ClassDef(self, node: cst.ClassDef, ctx) -> None:
        ctx.report(node, f"class `{node.name.value}` defined inside a compiled function is not supported by "
                         f"torch.jit.script: move it to module level", fix=_hoist_fix(node, ctx))


def _hoist_fix(node, ctx):
    fn = ctx.function
    if fn is None or ctx.nested or fn.qualname.count(".") > 1:
        return None
    name = node.name.value
    try:
        new, passed = plan_nested(file_source(ctx.file), fn.qualname, name)
    except NotHoistable:
        return None
    also = f", passing {', '.join(f'`{p}`' for p, _ in passed)}" if passed else ""
    return ctx.unsafe_fix(f"Move `{name}` to module level as `{new}`{also}", (),
                          codemod=("hoist-nested", (fn.qualname, name)))
