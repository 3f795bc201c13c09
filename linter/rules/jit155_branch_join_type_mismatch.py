from typing import Dict

import libcst as cst

from ..analysis.guards import always_exits, maybe_folded, static_value
from ..analysis.typecheck.certain import article, confident_type, conflict
from ..analysis.syntax import iter_descendants
from .base import SCRIPT, Example, Rule


def _last_assignments(block: cst.BaseSuite) -> Dict[str, cst.Assign]:
    """name -> the last top-level ``name = value`` of a branch; names the branch also binds
    inside nested blocks or by unpacking are left out."""
    out: Dict[str, cst.Assign] = {}
    nested = set()
    for stmt in block.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                        and isinstance(small.targets[0].target, cst.Name):
                    out[small.targets[0].target.value] = small
                elif isinstance(small, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Del)):
                    nested.update(n.value for n in iter_descendants(small) if isinstance(n, cst.Name))
        else:
            for n in iter_descendants(stmt):
                if isinstance(n, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.For, cst.AsName, cst.Del)):
                    nested.update(m.value for m in iter_descendants(n) if isinstance(m, cst.Name))
    return {k: v for k, v in out.items() if k not in nested}


def _read_after(name: str, node: cst.If, ctx) -> bool:
    """Is ``name`` read anywhere after the ``if`` statement in the function body?"""
    after = False
    stack = list(reversed(ctx.function.node.body.body))
    while stack:
        n = stack.pop()
        if n is node:
            after = True
            continue
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(n, cst.Name):
            if after and n.value == name:
                return True
            continue
        if isinstance(n, cst.Assign):
            parts = [n.value] + [t.target for t in n.targets if not isinstance(t.target, cst.Name)]
        elif isinstance(n, cst.Attribute):
            parts = [n.value]
        elif isinstance(n, cst.Arg):
            parts = [n.value]
        else:
            parts = list(n.children)
        stack.extend(reversed(parts))
    return False


class BranchJoinTypeMismatch(Rule):
    """
    ## What it does
    Flags a variable first defined in both branches of an ``if``/``else`` with values of two
    types TorchScript cannot unify (a Tensor in one branch and a float in the other, an int
    and a str, tuples of different lengths...) and read after the ``if``.

    ## Why is this bad?
    TorchScript gives every variable one static type. After an ``if``, a variable set in both
    branches takes the unified type of the two values; a Tensor and a float (or an int and a
    float) have none, and the compiler rejects the function at the first read after the
    ``if`` ("Type mismatch: y is set to type Tensor in the true branch and type float in the
    false branch"). Python lets the name hold either. A ``None`` in one branch is fine (the
    variable becomes ``Optional``), and so are branches the compiler folds away
    (``is_scripting()``, ``is None`` on attributes) and branches that return.

    ## Example
    ```python
    def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
        if flag:
            y = x
        else:
            y = 1.0
        return x * y
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
        if flag:
            y = x
        else:
            y = torch.ones_like(x)
        return x * y
    ```

    ## Fix safety
    No automatic fix: the value of the common type depends on the code.
    """

    code = "JIT155"
    name = "branch-join-type-mismatch"
    message = "a variable gets values of two types in the branches of an `if`"

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                if flag:
                    y = x
                else:
                    y = 1.0  # MARK
                return x * y
            """,
            inputs="[(torch.ones(3), True)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int) -> torch.Tensor:
                if n > 2:
                    k = n
                    x = x + 1
                else:
                    k = 0.5  # MARK
                return x * k
            """,
            inputs="[(torch.ones(3), 3)]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                if flag:
                    y = x
                else:
                    y = x * 2.0
                if flag:
                    z = x
                else:
                    z = None
                if flag:
                    w = 1
                else:
                    return x
                if z is not None:
                    y = y + z
                return y * w
            """,
            inputs="[(torch.ones(3), True), (torch.ones(3), False)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                if flag:
                    unused = x
                else:
                    unused = 1.0
                return x
            """,
            inputs="[(torch.ones(3), True)]",
        ),
    ]

    def visit_If(self, node: cst.If, ctx) -> None:
        if ctx.function is None or ctx.infer is None or not isinstance(node.orelse, cst.Else):
            return
        for test in (node.test, *ctx.conditions):
            if static_value(test, ctx, SCRIPT) is not None or maybe_folded(test, ctx):
                return
        if always_exits(node.body.body) or always_exits(node.orelse.body.body):
            return
        true_side = _last_assignments(node.body)
        false_side = _last_assignments(node.orelse.body)
        for name in sorted(true_side.keys() & false_side.keys()):
            if name in ctx.infer.locals or any(p.name == name for p in ctx.function.params):
                continue  # defined before the `if`: the branch-type-change rule's case
            t = confident_type(true_side[name].value, ctx)
            f = confident_type(false_side[name].value, ctx)
            if t is None or f is None or not conflict(t, f):
                continue
            if (t, f) in (("int", "bool"), ("bool", "int")):
                continue  # not measured
            if not _read_after(name, node, ctx):
                continue
            ctx.report(false_side[name], f"`{name}` is {article(t)} in the `if` branch and {article(f)} in the "
                                         f"`else` branch: TorchScript cannot join the two types and rejects the "
                                         f"read after the `if` (\"Type mismatch: {name} is set to type ... in the "
                                         f"true branch and type ... in the false branch\"); give both the same "
                                         f"type")
