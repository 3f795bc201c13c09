import libcst as cst

from ..analysis.statement_edits import statement_replacement
from ..analysis.syntax import iter_descendants
from .base import Example, Rule


class TryStatement(Rule):
    """
    ## What it does
    Flags ``try``/``except``/``finally`` in code that ``torch.jit.script`` compiles.

    ## Why is this bad?
    TorchScript has no exception handling: the frontend rejects any ``try`` block
    ("try blocks aren't supported"). It does so even inside ``if not torch.jit.is_scripting():``,
    because the whole function is parsed before dead branches are dropped.

    ## Example
    ```python
    def forward(self, x):
        try:
            return self.fast_path(x)
        except RuntimeError:
            return self.slow_path(x)
    ```

    ## Use instead
    Keep only the path TorchScript should compile, or move the guarded code into a
    ``@torch.jit.unused`` helper called under ``if not torch.jit.is_scripting():``.
    ```python
    def forward(self, x):
        return self.fast_path(x)
    ```

    ## Fix safety
    The fix keeps what runs when the body raises nothing: the body, then the ``else`` block,
    then the ``finally`` block, in place of the ``try`` statement. For ``try``/``finally: pass``
    that is all the statement did: safe. Otherwise it is unsafe and right only when the body
    never raises what the handlers catch: an exception then propagates where a handler ran, and
    a ``finally`` block no longer runs on the way out. A ``finally`` block with ``return``,
    ``break`` or ``continue`` (which swallows exceptions) gets no fix.
    """

    code = "JIT101"
    name = "try-statement"
    fix_safety = "safe or unsafe (see Fix safety)"
    message = "`try` blocks are not supported by torch.jit.script"
    frontend = True
    evidence = ("s001", "s002", "s032")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                try:  # MARK
                    y = x * 2
                except RuntimeError:
                    y = x
                return y
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    try:  # MARK
                        print(x.shape)
                    finally:
                        pass
                return x + 1
            """
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            @torch.jit.unused
            def _log_shape(x: torch.Tensor) -> None:
                try:
                    print(x.shape)
                except Exception:
                    pass

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    _log_shape(x)
                return x + 1
            """
        ),
    ]

    def visit_Try(self, node: cst.Try, ctx) -> None:
        kind = "try/finally" if not node.handlers else "try/except"
        ctx.report(node, f"`{kind}` is not supported by torch.jit.script (no exception handling in TorchScript)",
                   fix=_inline_fix(node, ctx))

    def visit_TryStar(self, node: cst.TryStar, ctx) -> None:
        ctx.report(node, "`try/except*` is not supported by torch.jit.script")


def _block(suite) -> list:
    return list(suite.body) if isinstance(suite, cst.IndentedBlock) else []


def _inline_fix(node: cst.Try, ctx):
    body = _block(node.body)
    orelse = _block(node.orelse.body) if node.orelse is not None else []
    final = _block(node.finalbody.body) if node.finalbody is not None else []
    if not body or (node.orelse is not None and not orelse) or (node.finalbody is not None and not final):
        return None
    if any(isinstance(n, (cst.Return, cst.Break, cst.Continue)) for stmt in final for n in (stmt, *iter_descendants(stmt))):
        return None
    kept_final = [s for s in final if not (isinstance(s, cst.SimpleStatementLine)
                                         and all(isinstance(x, cst.Pass) for x in s.body))]
    safe = not node.handlers and not orelse and not kept_final
    new = body + orelse + kept_final
    edit = statement_replacement(ctx, node, new)
    if edit is None:
        return None
    message = "Keep the body, drop the `try`" if not node.handlers else "Keep the body, drop the handlers"
    return (ctx.safe_fix if safe else ctx.unsafe_fix)(message, [edit])
