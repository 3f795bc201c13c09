from typing import Optional, Union

import libcst as cst

from jitlint.linter.rules.base import Example, Rule
from jitlint.linter.rules.jit108_loop_else import line_replacement

Importish = Union[cst.Import, cst.ImportFrom]


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _is_import_line(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)


def _move_fix(node: Importish, ctx):
    """Remove the import from the function and add it after the module's top-level imports."""
    line = ctx.parent
    if not isinstance(line, cst.SimpleStatementLine) or node not in line.body:
        return None
    module = ctx.file.module
    text = module.code_for_node(node.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)).strip()
    body = list(module.body)
    # where to insert: after the last top-level import line (else after docstring/__future__)
    at = 0
    for i, stmt in enumerate(body):
        if _is_import_line(stmt) or (i == 0 and _is_docstring(stmt)):
            at = i + 1
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            break
    already = any(_is_import_line(stmt) and any(
        module.code_for_node(s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)).strip() == text
        for s in stmt.body) for stmt in body)
    edits = []
    if not already:
        new_line = cst.parse_statement(text + "\n")
        insert = line_replacement(ctx, module, module.with_changes(body=body[:at] + [new_line] + body[at:]))
        if insert is None:
            return None
        edits.append(insert)
    # the function side: drop the statement (or just this import from a `a; b` line)
    if len(line.body) > 1:
        remaining = [s for s in line.body if s is not node]
        remaining[-1] = remaining[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        removal = line_replacement(ctx, line, line.with_changes(body=remaining))
    else:
        block = next((p for p in reversed(ctx.parents[:-1]) if isinstance(p, cst.BaseCompoundStatement)), None)
        owner = block if block is not None else (ctx.function.node if ctx.function is not None else None)
        suite = _suite_holding(owner, line)
        if suite is None:
            return None
        kept = [st for st in suite.body if st is not line]
        if not kept:
            kept = [cst.SimpleStatementLine([cst.Pass()], leading_lines=line.leading_lines)]
        removal = line_replacement(ctx, suite, suite.with_changes(body=kept))
    if removal is None:
        return None
    edits.append(removal)
    if len(edits) == 2 and not (edits[0][0][2] <= edits[1][0][0] or edits[1][0][2] <= edits[0][0][0]):
        return None  # overlapping line ranges
    return ctx.unsafe_fix("Move the import to module level", edits)


def _suite_holding(owner: Optional[cst.CSTNode], line: cst.SimpleStatementLine) -> Optional[cst.IndentedBlock]:
    if owner is None:
        return None
    suites = []
    for name in ("body", "orelse", "finalbody"):
        part = getattr(owner, name, None)
        if isinstance(part, cst.IndentedBlock):
            suites.append(part)
        elif part is not None and isinstance(getattr(part, "body", None), cst.IndentedBlock):
            suites.append(part.body)
    for handler in getattr(owner, "handlers", ()) or ():
        suites.append(handler.body)
    for suite in suites:
        if isinstance(suite, cst.IndentedBlock) and any(st is line for st in suite.body):
            return suite
    return None


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
    The fix moves the import after the module's top-level imports (or just deletes it when the
    module already has it). It is unsafe: imports are put in functions on purpose (optional
    dependencies, import cycles, start-up time), and a module-level import also rebinds the
    name for every other function of the module.
    """

    code = "JIT110"
    name = "import-in-function"
    message = "import statements are not supported inside functions compiled by torch.jit.script"
    frontend = True
    fix_safety = "unsafe"
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
                         "move it to module level", fix=_move_fix(node, ctx))

    def visit_ImportFrom(self, node: cst.ImportFrom, ctx) -> None:
        ctx.report(node, "`from ... import` inside a compiled function is not supported by torch.jit.script: "
                         "move it to module level", fix=_move_fix(node, ctx))
