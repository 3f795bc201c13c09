from typing import Dict, Iterator, Optional

import libcst as cst

from ..analysis.names import iter_top_level
from ..analysis.syntax import iter_descendants
from .base import Example, Rule

# Bare names TorchScript's own type parser knows, so an unresolvable (TYPE_CHECKING-only)
# binding of exactly these names still compiles (checked with torch 2.13: `Tensor`,
# `Optional[...]`, `List[...]`... compile; `Sequence`, `Callable`, `Size`, `device`, `dtype`,
# aliases such as `T` or `typing.List` do not).
_SCRIPT_KNOWN = frozenset(
    "Tensor Optional List Dict Tuple Union Any Generator Future Await RRef Stream Device NoneType number "
    "int float str bool complex None".split()
)


def _type_checking_only(ctx) -> Dict[str, cst.ImportAlias]:
    """Names bound only by imports under ``if TYPE_CHECKING:`` -> their import alias node."""
    facts = ctx.file.scratch.get("JIT114")
    if facts is not None:
        return facts
    tc: Dict[str, cst.ImportAlias] = {}
    runtime = set()
    for stmt, in_tc in iter_top_level(ctx.file.module.body):
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            runtime.add(stmt.name.value)
            continue
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    bound = alias.asname.name if alias.asname is not None else alias.name
                    while isinstance(bound, cst.Attribute):
                        bound = bound.value
                    if isinstance(bound, cst.Name):
                        if in_tc:
                            tc.setdefault(bound.value, alias)
                        else:
                            runtime.add(bound.value)
            elif isinstance(small, (cst.Assign, cst.AnnAssign)) and not in_tc:
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                for t in targets:
                    runtime.update(n.value for n in [t, *iter_descendants(t)] if isinstance(n, cst.Name))
            elif isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar) and not in_tc:
                runtime.add("*")
    if "*" in runtime:
        tc = {}
    facts = {name: alias for name, alias in tc.items() if name not in runtime}
    ctx.file.scratch["JIT114"] = facts
    return facts


def _annotation_names(node: Optional[cst.BaseExpression], depth: int = 0) -> Iterator[str]:
    """Head names an annotation expression refers to (string annotations parsed)."""
    if node is None or depth > 3:
        return
    if isinstance(node, cst.Annotation):
        node = node.annotation
    for n in [node, *iter_descendants(node)]:
        if isinstance(n, cst.Name):
            yield n.value
        elif isinstance(n, cst.SimpleString):
            try:
                text = n.evaluated_value
                inner = cst.parse_expression(text) if isinstance(text, str) else None
            except Exception:  # noqa: BLE001 - not an expression: not an annotation either
                inner = None
            if inner is not None:
                yield from _annotation_names(inner, depth + 1)


class TypeCheckingImport(Rule):
    """
    ## What it does
    Flags names imported only under ``if TYPE_CHECKING:`` that a compiled function uses in an
    annotation (a parameter, the return type, an annotated local, ``torch.jit.annotate``).
    The finding is on the import, naming the compiled function that needs it.

    ## Why is this bad?
    ``torch.jit.script`` resolves annotations at run time, from the module's real globals:
    a name that exists only for static type checkers is unknown to it ("Unknown type name
    'OrderedDict[str, int]'"), string annotation or not, ``from __future__ import
    annotations`` or not. (Names TorchScript's type parser knows by itself — ``Tensor``,
    ``Optional``, ``List``, ``Dict``, ``Tuple``, ``Union``, ``Any``... — are the exception:
    they compile even when only imported for type checkers, so they are not reported.)

    ## Example
    ```python
    if TYPE_CHECKING:
        from collections import OrderedDict

    def fn(x: torch.Tensor, d: "OrderedDict[str, int]") -> torch.Tensor:
        return x + len(d)
    ```

    ## Use instead
    Import the type unconditionally (or use a type TorchScript knows, such as ``Dict``):
    ```python
    from typing import Dict

    def fn(x: torch.Tensor, d: Dict[str, int]) -> torch.Tensor:
        return x + len(d)
    ```

    ## Fix safety
    No automatic fix: imports are put under ``TYPE_CHECKING`` to break import cycles, which
    moving them out would bring back.
    """

    code = "JIT114"
    name = "type-checking-import"
    message = "a name imported only under `if TYPE_CHECKING:` is used in a compiled annotation"
    evidence = ("s030",)

    INVALID = [
        Example(
            """
            from typing import TYPE_CHECKING
            import torch

            if TYPE_CHECKING:
                from collections import OrderedDict  # MARK

            def fn(x: torch.Tensor, d: "OrderedDict[str, int]") -> torch.Tensor:
                return x + len(d)
            """,
            inputs="[(torch.ones(2), {'a': 1})]",
        ),
        Example(
            """
            import typing
            import torch

            if typing.TYPE_CHECKING:
                from collections import OrderedDict  # MARK

            def fn(x: torch.Tensor) -> torch.Tensor:
                d = torch.jit.annotate("OrderedDict[str, int]", {})
                d["a"] = 1
                return x + len(d)
            """
        ),
        Example(
            """
            from __future__ import annotations
            from typing import TYPE_CHECKING
            import torch

            if TYPE_CHECKING:
                from torch import Tensor as T  # MARK

            class Net(torch.nn.Module):
                def forward(self, x: T) -> T:
                    return x + 1
            """,
            root="Net",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import TYPE_CHECKING, Dict
            import torch

            if TYPE_CHECKING:
                from collections import OrderedDict

            def fn(x: torch.Tensor, d: Dict[str, int]) -> torch.Tensor:
                return x + len(d)

            def describe(d: "OrderedDict[str, int]") -> str:
                return str(d)
            """,
            inputs="[(torch.ones(2), {'a': 1})]",
        ),
        Example(
            """
            from __future__ import annotations
            from typing import TYPE_CHECKING
            import torch

            if TYPE_CHECKING:
                from typing import List, Optional
                from torch import Tensor

            def fn(x: Tensor, y: Optional[Tensor] = None) -> List[Tensor]:
                ys: List[Tensor] = [x, x if y is None else y]
                return ys
            """
        ),
    ]

    def _check(self, annotation, ctx, where: str) -> None:
        tc = _type_checking_only(ctx)
        if not tc:
            return
        seen = ctx.scratch.setdefault(self.code, set())
        for name in _annotation_names(annotation):
            alias = tc.get(name)
            if alias is None or name in seen or name in _SCRIPT_KNOWN:
                continue
            seen.add(name)
            fn = ctx.function.qualname if ctx.function is not None else "?"
            ctx.report(alias, f"`{name}` is imported only under `if TYPE_CHECKING:`, but compiled `{fn}` uses it "
                              f"in {where}: torch.jit.script resolves annotations at run time (\"Unknown type "
                              f"name\"); import it unconditionally")

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        if not ctx.names.type_checking_names or ctx.function is None:
            return
        for p in ctx.function.params:
            if p.annotation is not None and p.type != ("self",):
                self._check(p.annotation, ctx, f"the annotation of `{p.name}`")
        if fn.returns is not None:
            self._check(fn.returns, ctx, "its return annotation")

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        if ctx.names.type_checking_names:
            self._check(node.annotation, ctx, "a local annotation")

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if not ctx.names.type_checking_names or not node.args:
            return
        if ctx.resolve(node.func) == "torch.jit.annotate":
            self._check(node.args[0].value, ctx, "`torch.jit.annotate`")
