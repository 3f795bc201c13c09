from typing import List, Optional, Tuple

import libcst as cst

from ..analysis.names import dotted_name
from .base import Example, Rule


class ImportInFunction(Rule):
    """
    ## What it does
    Flags ``import`` and ``from ... import`` statements inside functions that
    ``torch.jit.script`` compiles (lazy imports in ``forward`` or its helpers).

    ## Why is this bad?
    The TorchScript frontend rejects import statements ("import statements aren't
    supported"), even inside ``if not torch.jit.is_scripting():``: the names a compiled
    function uses must already be bound at module level when it is compiled.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        import math
        return x * math.pi
    ```

    ## Use instead
    ```python
    import math

    def fn(x: torch.Tensor) -> torch.Tensor:
        return x * math.pi
    ```

    ## Fix safety
    Unsafe (applied with ``--unsafe-fixes``): the fix (codemod ``hoist-import``) removes the
    statement from the function and writes it once at module level, after the leading imports.
    Eager code then computes the same as long as importing the module at import time instead of
    at the call is harmless, which jitlint cannot check: imports are put in functions on purpose
    (an optional dependency that may be missing, an import cycle, start-up time). Offered only for
    absolute, non-star imports whose names the module does not bind otherwise (or binds to the
    same thing), that the function binds nowhere else; ``import a.b`` without ``as`` is left
    alone (it binds ``a``).
    """

    code = "JIT110"
    name = "import-in-function"
    fix_safety = "unsafe"
    message = "import statements are not supported inside functions compiled by torch.jit.script"
    frontend = True
    evidence = ("s029",)

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                import math  # MARK
                return x * math.pi
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    from math import pi  # MARK
                    x = x * pi
                return x
            """
        ),
    ]
    VALID = [
        Example(
            """
            import math
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x * math.pi
            """
        ),
        Example(
            """
            import torch
            from torch.nn.functional import relu

            def fn(x: torch.Tensor) -> torch.Tensor:
                return relu(x)
            """
        ),
    ]

    def visit_Import(self, node: cst.Import, ctx) -> None:
        ctx.report(node, "`import` inside a compiled function is not supported by torch.jit.script: "
                         "move it to module level", fix=_hoist_fix(node, ctx))

    def visit_ImportFrom(self, node: cst.ImportFrom, ctx) -> None:
        ctx.report(node, "`from ... import` inside a compiled function is not supported by torch.jit.script: "
                         "move it to module level", fix=_hoist_fix(node, ctx))


def _bound(node) -> Optional[List[Tuple[str, str]]]:
    """(name bound, what it is bound to) for each alias; None for forms the fix leaves alone."""
    out = []
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = dotted_name(alias.name)
            if full is None:
                return None
            if alias.asname is None:
                if "." in full:
                    return None
                out.append((full, full))
            else:
                out.append((dotted_name(alias.asname.name), full))
        return out
    if node.relative or isinstance(node.names, cst.ImportStar) or node.module is None:
        return None
    mod = dotted_name(node.module)
    for alias in node.names:
        name = dotted_name(alias.name)
        local = dotted_name(alias.asname.name) if alias.asname is not None else name
        if mod is None or name is None or local is None:
            return None
        out.append((local, f"{mod}.{name}"))
    return out


def _hoist_fix(node, ctx):
    fn = ctx.function
    if fn is None or ctx.nested or fn.qualname.count(".") > 1:
        return None
    bound = _bound(node)
    if not bound:
        return None
    for local, target in bound:
        binding = ctx.names.bindings.get(local)
        if binding is not None and not (binding.kind == "import" and binding.target == target):
            return None
    statement = cst.Module([]).code_for_node(node.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)).strip()
    return ctx.unsafe_fix(f"Move `{statement}` to module level", (),
                          codemod=("hoist-import", (fn.qualname, statement)))
