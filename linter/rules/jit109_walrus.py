from typing import Optional

import libcst as cst

from ..analysis.statement_edits import statement_replacement
from ..analysis.syntax import iter_descendants
from .base import Example, Rule


def _evaluated_first(root: cst.BaseExpression, target: cst.NamedExpr) -> bool:
    """Is ``target`` the first thing Python evaluates in ``root`` (and evaluated always)?"""
    node = root
    while node is not target:
        if isinstance(node, (cst.BinaryOperation, cst.Comparison, cst.BooleanOperation)):
            node = node.left
        elif isinstance(node, cst.UnaryOperation):
            node = node.expression
        elif isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.args:
            if node.args[0].star or node.args[0].keyword is not None:
                return False
            node = node.args[0].value  # calling a plain name: the name lookup has no effect
        else:
            return False
    return True


def _hoist(node: cst.NamedExpr, ctx):
    """A fix hoisting ``name := value`` into ``name = value`` before its statement, when
    that is exactly equivalent (the walrus is evaluated first, once, unconditionally)."""
    if not isinstance(node.target, cst.Name):
        return None
    if any(isinstance(n, (cst.NamedExpr, cst.Lambda, cst.Yield, cst.Await)) for n in iter_descendants(node.value)):
        return None
    parents = ctx.parents
    stmt: Optional[cst.CSTNode] = None
    root = None
    for i in range(len(parents) - 1, -1, -1):
        p = parents[i]
        if isinstance(p, cst.While):
            # `while (n := f()) < k: body` -> `n = f()` / `while n < k: body; n = f()`: the same
            # evaluations in the same order, unless `continue` skips the end of the body
            if (p.orelse is not None or not isinstance(p.body, cst.IndentedBlock)
                    or any(isinstance(n, cst.Continue) for n in iter_descendants(p.body))
                    or not _evaluated_first(p.test, node) or not isinstance(node.target, cst.Name)):
                return None
            name = node.target.value
            assign = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(name))], node.value)])
            loop = p.deep_replace(node, cst.Name(name))
            loop = loop.with_changes(leading_lines=[], body=loop.body.with_changes(body=[*loop.body.body, assign]))
            edit = statement_replacement(ctx, p, [assign.with_changes(leading_lines=p.leading_lines), loop])
            if edit is None:
                return None
            return ctx.safe_fix(f"Assign `{name}` before the loop and at the end of its body", [edit])
        if isinstance(p, cst.If):
            # not an `elif`: nothing can be inserted between `if` and `elif`
            if i > 0 and isinstance(parents[i - 1], cst.If) and parents[i - 1].orelse is p:
                return None
            stmt, root = p, p.test
            break
        if isinstance(p, cst.SimpleStatementLine):
            if len(p.body) != 1:
                return None
            small = p.body[0]
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                root = small.value
            elif isinstance(small, (cst.Expr, cst.Return)) and small.value is not None:
                root = small.value
            else:
                return None
            stmt = p
            break
        if isinstance(p, cst.BaseSmallStatement):
            continue  # its SimpleStatementLine comes next
        if isinstance(p, cst.BaseCompoundStatement):
            return None
    if stmt is None or root is None or not _evaluated_first(root, node):
        return None
    name = node.target.value
    assign = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(name))], node.value)],
                                     leading_lines=stmt.leading_lines)
    rest = stmt.deep_replace(node, cst.Name(name)).with_changes(leading_lines=[])
    edit = statement_replacement(ctx, stmt, [assign, rest])
    if edit is None:
        return None
    return ctx.safe_fix(f"Assign `{name}` in its own statement first", [edit])


class Walrus(Rule):
    """
    ## What it does
    Flags assignment expressions (the walrus operator ``:=``) in code that
    ``torch.jit.script`` compiles.

    ## Why is this bad?
    The TorchScript frontend predates PEP 572 and rejects the node ("NamedExpr aren't
    supported"), even inside ``if not torch.jit.is_scripting():``.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        if (n := x.numel()) > 2:
            return x * n
        return x
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        n = x.numel()
        if n > 2:
            return x * n
        return x
    ```

    ## Fix safety
    When the walrus is the first thing evaluated in an ``if`` test or in a one-statement line
    (``x = (n := f()) + 1``, ``return (n := f()) * 2``), the fix moves it into ``n = f()`` just
    before that statement: the same evaluations in the same order, so it is safe. When it is
    evaluated first in a ``while`` condition (``while (j := i + 1) < 3:``), the assignment goes
    before the loop and again at the end of its body: safe as well, the condition's evaluations
    keep their order, unless a ``continue`` skips the end of the body (then no fix), or the loop
    has an ``else``. Elsewhere (after a short-circuiting operand, an ``elif``, a comprehension)
    hoisting would change what runs, and no fix is offered.
    """

    code = "JIT109"
    name = "walrus"
    message = "assignment expressions (`:=`) are not supported by torch.jit.script"
    frontend = True
    fix_safety = "safe"
    evidence = ("s019",)

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if (n := x.numel()) > 2:  # MARK
                    return x * n
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                i = 0
                while (j := i + 1) < 3:  # MARK
                    i = j
                return x * i
            """
        ),
        Example(
            """
            from typing import Dict, Optional
            import torch

            def fn(x: torch.Tensor, d: Dict[str, torch.Tensor]) -> torch.Tensor:
                y = (m := x.mean()) * 2  # MARK
                if (w := d.get("w")) is not None:
                    y = y * w
                return y + m
            """,
            inputs="[(torch.ones(3), {'w': torch.ones(3)}), (torch.ones(3), {})]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                n = x.numel()
                if n > 2:
                    return x * n
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int = 2) -> torch.Tensor:
                return x * n
            """
        ),
    ]

    def visit_NamedExpr(self, node: cst.NamedExpr, ctx) -> None:
        target = node.target.value if isinstance(node.target, cst.Name) else "..."
        ctx.report(node, f"assignment expression `{target} := ...` is not supported by torch.jit.script: "
                         f"assign `{target}` in its own statement first", fix=_hoist(node, ctx))
