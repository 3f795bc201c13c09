from typing import Union

import libcst as cst

from ..analysis.statement_edits import statement_replacement
from ..analysis.syntax import iter_descendants
from .base import Example, Rule

Loop = Union[cst.For, cst.While]


class _MarkBreaks(cst.CSTTransformer):
    """Puts ``<flag> = True`` before every ``break`` that leaves the loop being rewritten."""

    def __init__(self, flag: str):
        super().__init__()
        self.flag = flag
        self.found = False

    # breaks inside nested scopes or nested loop bodies belong to something else ...
    def visit_FunctionDef(self, node) -> bool:
        return False

    def visit_ClassDef(self, node) -> bool:
        return False

    def visit_Lambda(self, node) -> bool:
        return False

    def visit_For(self, node) -> bool:
        return False

    def visit_While(self, node) -> bool:
        return False

    # ... but a nested loop's `else:` runs in our loop, so its breaks leave our loop.
    def leave_For(self, original, updated):
        if updated.orelse is not None:
            return updated.with_changes(orelse=updated.orelse.visit(self))
        return updated

    def leave_While(self, original, updated):
        if updated.orelse is not None:
            return updated.with_changes(orelse=updated.orelse.visit(self))
        return updated

    def _mark(self, updated):
        body = []
        for small in updated.body:
            if isinstance(small, cst.Break):
                self.found = True
                body.append(cst.Assign([cst.AssignTarget(cst.Name(self.flag))], cst.Name("True")))
            body.append(small)
        return updated.with_changes(body=body) if len(body) != len(updated.body) else updated

    def leave_SimpleStatementLine(self, original, updated):
        if len(updated.body) == 1 and isinstance(updated.body[0], cst.Break):
            self.found = True
            flag = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(self.flag))], cst.Name("True"))],
                                           leading_lines=updated.leading_lines)
            return cst.FlattenSentinel([flag, updated.with_changes(leading_lines=[])])
        return self._mark(updated)

    def leave_SimpleStatementSuite(self, original, updated):
        return self._mark(updated)


def _fresh_name(ctx, base: str) -> str:
    fn = ctx.function.node if ctx.function is not None else None
    used = {n.value for n in iter_descendants(fn) if isinstance(n, cst.Name)} if fn is not None else set()
    used |= set(ctx.names.bindings)
    name, i = base, 1
    while name in used:
        name = f"{base}_{i}"
        i += 1
    return name


def _rewrite(loop: Loop, ctx):
    """The loop without ``else`` (a found-flag when it can break), or None."""
    orelse = loop.orelse
    if not isinstance(orelse.body, cst.IndentedBlock) or not isinstance(loop.body, cst.IndentedBlock):
        return None
    flag = _fresh_name(ctx, "broke" if not ctx.loop_depth else f"broke_{ctx.loop_depth}")
    marker = _MarkBreaks(flag)
    body = loop.body.visit(marker)
    if not marker.found:
        # no break: the else block always runs after the loop
        after = list(orelse.body.body)
        if orelse.leading_lines:
            after[0] = after[0].with_changes(leading_lines=list(orelse.leading_lines) + list(after[0].leading_lines))
        return [loop.with_changes(orelse=None)] + after, "Move the `else` block after the loop (the loop never breaks)"
    init = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(flag))], cst.Name("False"))],
                                   leading_lines=loop.leading_lines)
    check = cst.If(test=cst.UnaryOperation(cst.Not(), cst.Name(flag)), body=orelse.body,
                   leading_lines=orelse.leading_lines)
    return ([init, loop.with_changes(body=body, orelse=None, leading_lines=[]), check],
            f"Replace the `else` by a `{flag}` flag set before each `break`")


def _line_fix(ctx, old_node: cst.BaseStatement, new_nodes, message: str):
    edit = statement_replacement(ctx, old_node, list(new_nodes))
    return ctx.safe_fix(message, [edit]) if edit is not None else None


class LoopElse(Rule):
    """
    ## What it does
    Flags ``for ... else`` and ``while ... else`` loops in code that ``torch.jit.script``
    compiles.

    ## Why is this bad?
    The TorchScript frontend has no ``else`` clause for loops. ``for``-``else`` is rejected
    ("else branches of for loops aren't supported"); ``while``-``else`` even crashes the
    frontend with a pybind ``TypeError`` that carries no source location. Both fail inside
    ``if not torch.jit.is_scripting():`` too.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        y = x
        for i in range(3):
            if i == 5:
                break
        else:
            y = x + 1
        return y
    ```

    ## Use instead
    A flag set before each ``break`` (or, if the loop never breaks, the ``else`` block after
    the loop):
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        y = x
        broke = False
        for i in range(3):
            if i == 5:
                broke = True
                break
        if not broke:
            y = x + 1
        return y
    ```

    ## Fix safety
    The fix is safe: it introduces a fresh flag, sets it right before every ``break`` that
    leaves this loop (including those in a nested loop's ``else``) and runs the old ``else``
    block under ``if not <flag>:``, which is exactly Python's semantics. A loop that cannot
    break gets its ``else`` block moved after it.
    """

    code = "JIT108"
    name = "loop-else"
    message = "`else` on a loop is not supported by torch.jit.script"
    frontend = True
    fix_safety = "safe"
    evidence = ("s017", "s018")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                y = x
                for i in range(3):  # MARK
                    if i == 5:
                        break
                else:
                    y = x + 1
                return y
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                i = 0
                y = x
                while i < 3:  # MARK
                    i += 1
                else:
                    y = x + 1
                return y
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    for i in range(n):  # MARK
                        if i == 2: break
                    else:
                        x = x * 2
                return x
            """,
            inputs="[(torch.ones(2), 1), (torch.ones(2), 5)]",
        ),
    ]
    VALID = [
        # the fixed forms of the INVALID examples above
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                y = x
                broke = False
                for i in range(3):
                    if i == 5:
                        broke = True
                        break
                if not broke:
                    y = x + 1
                return y
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                i = 0
                y = x
                while i < 3:
                    i += 1
                y = x + 1
                return y
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int) -> torch.Tensor:
                for j in range(n):
                    broke_1 = False
                    for i in range(n):
                        if i == j:
                            broke_1 = True
                            break
                    if not broke_1:
                        x = x * 2
                    if j > 2:
                        break
                return x
            """,
            inputs="[(torch.ones(2), 1), (torch.ones(2), 5)]",
        ),
    ]

    def _check(self, node: Loop, ctx) -> None:
        if node.orelse is None:
            return
        kind = "for" if isinstance(node, cst.For) else "while"
        fix = None
        rewrite = _rewrite(node, ctx)
        if rewrite is not None:
            fix = _line_fix(ctx, node, rewrite[0], rewrite[1])
        ctx.report(node, f"`{kind} ... else` is not supported by torch.jit.script: use a flag set before "
                         f"`break` and test it after the loop", fix=fix)

    def visit_For(self, node: cst.For, ctx) -> None:
        self._check(node, ctx)

    def visit_While(self, node: cst.While, ctx) -> None:
        self._check(node, ctx)
