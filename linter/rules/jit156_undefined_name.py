from typing import FrozenSet

import libcst as cst

from ..analysis.names import BUILTIN_NAMES
from ..analysis.typecheck.certain import bindings_of
from ..analysis.syntax import body_nodes, iter_descendants
from .base import Example, Rule

_COMPS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


def _targets(node: cst.CSTNode):
    for n in (node, *iter_descendants(node)):
        if isinstance(n, cst.Name):
            yield n.value


def _direct_bound(ctx) -> FrozenSet[str]:
    """The parameters and the statement-level bindings: most of :func:`_function_bound`
    without walking the whole body (asked first, so the walk happens only for a name they miss)."""
    scratch = ctx.scratch.setdefault("JIT156", {})
    found = scratch.get("direct")
    if found is None:
        found = scratch["direct"] = frozenset({p.name for p in ctx.function.params} | set(bindings_of(ctx)))
    return found


def _function_bound(ctx) -> FrozenSet[str]:
    """Every name the function binds anywhere (parameters, assignments, loop and with targets,
    imports, defs, global/nonlocal, walrus, except and match names): comprehension targets
    are not among them (they are bound in the comprehension only)."""
    scratch = ctx.scratch.setdefault("JIT156", {})
    found = scratch.get("bound")
    if found is None:
        names = set(_direct_bound(ctx))
        for n in body_nodes(ctx, cst.NamedExpr, cst.ExceptHandler, cst.MatchAs, cst.MatchStar):
            if isinstance(n, cst.NamedExpr):
                names.update(_targets(n.target))
            elif isinstance(n, (cst.ExceptHandler, cst.MatchAs, cst.MatchStar)) and n.name is not None:
                names.update(_targets(n.name))
        found = scratch["bound"] = frozenset(names)
    return found


def _module_bound(ctx) -> FrozenSet[str]:
    """Names the module may bind: top-level bindings, and every name under its top-level
    statements outside defs and classes (loop targets, with targets, conditional definitions);
    everything when it has a star import."""
    cache = ctx.file.__dict__.setdefault("_jit156_module", {})
    found = cache.get("bound")
    if found is None:
        names = set(ctx.names.bindings) | set(ctx.names.type_checking_names)
        star = False
        for stmt in ctx.file.module.body:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                names.add(stmt.name.value)
                continue
            for n in iter_descendants(stmt):
                if isinstance(n, cst.ImportStar):
                    star = True
                elif isinstance(n, cst.Name):
                    names.add(n.value)
        found = cache["bound"] = None if star else frozenset(names)
    return found


class UndefinedName(Rule):
    """
    ## What it does
    Flags a name compiled code reads that nothing defines: not a parameter or local of the
    function (anywhere in it), not a variable of an enclosing comprehension, not a name of
    the module, not a builtin. Typically a comprehension's variable read after the
    comprehension, or a name a comprehension uses that the function never assigns.

    ## Why is this bad?
    TorchScript resolves every name when it compiles the function, so it rejects the whole
    function ("undefined value k") even when the line would only run on a path the tests
    never take; Python raises ``NameError`` only when the line runs. A comprehension's
    variables do not exist after it (in Python 3 and in TorchScript).

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        squares = [i * i for i in range(3)]
        return x * i
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        squares = [i * i for i in range(3)]
        return x * len(squares)
    ```

    ## Fix safety
    No automatic fix: which value was meant is the author's call.
    """

    code = "JIT156"
    name = "undefined-name"
    message = "this name is defined nowhere: torch.jit.script rejects it (\"undefined value\")"

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                squares = [i * i for i in range(3)]
                return x * i  # MARK
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                if flag:
                    scaled = [v * scale for v in range(3)]  # MARK
                    x = x * len(scaled)
                return x
            """,
            inputs="[(torch.ones(3), False)]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor, xs: List[int]) -> torch.Tensor:
                k = 2
                ys = [i * k for i in xs]
                zs = [[i * j for j in range(i)] for i in range(3)]
                for n in range(2):
                    x = x + n
                return x * len(ys) * len(zs)
            """,
            inputs="[(torch.ones(3), [1, 2])]",
        ),
    ]

    def visit_Name(self, node: cst.Name, ctx) -> None:
        v = node.value
        if v in BUILTIN_NAMES or v in ctx.names.bindings or ctx.function is None:
            return
        if v in _direct_bound(ctx) or (v.startswith("__") and v.endswith("__")):
            return
        for parent in ctx.parents:
            if isinstance(parent, cst.Annotation):
                return  # types are the annotation rules' business
            if isinstance(parent, _COMPS):
                comp = parent.for_in
                while comp is not None:
                    if v in _targets(comp.target):
                        return
                    comp = comp.inner_for_in
        module = _module_bound(ctx)
        if module is None or v in module:
            return
        if v in _function_bound(ctx):  # last: the only check that walks the whole body
            return
        ctx.report(node, f"`{v}` is defined nowhere (not in this function, an enclosing comprehension or the "
                         f"module): torch.jit.script rejects the function (\"undefined value {v}\"), even where "
                         f"Python would only raise NameError if the line ran")
