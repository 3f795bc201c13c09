from typing import Optional, Sequence

import libcst as cst

from ..analysis.guards import maybe_folded, static_value
from ..analysis.typecheck.inference import annotation_type
from ..analysis.names import dotted_name
from ..analysis.statement_edits import statement_replacement
from ..analysis.syntax import iter_children, iter_descendants
from ..analysis.typecheck.lattice import NONE, is_optional
from .base import SCRIPT, Example, Rule

_SKIP_DECORATORS = ("overload", "abstractmethod", "abstractproperty")


def _static(test: cst.BaseExpression, ctx) -> Optional[bool]:
    if isinstance(test, cst.Name) and test.value in ("True", "False"):
        return test.value == "True"
    return static_value(test, ctx, SCRIPT)


def _and(a: Optional[bool], b: Optional[bool]) -> Optional[bool]:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _exits(stmts: Sequence[cst.BaseStatement], ctx) -> Optional[bool]:
    """Does every path through ``stmts`` end in return/raise, as TorchScript sees it?

    True / False, or None when the answer depends on something the compiler may fold.
    Loops never count as returning (not even ``while True:``): TorchScript rejects a
    function whose last statement is a loop that returns from inside.
    """
    unknown = False
    for stmt in stmts:
        r = _stmt_exits(stmt, ctx)
        if r is True:
            return True
        if r is None:
            unknown = True
    return None if unknown else False


def _else_exits(orelse, ctx) -> Optional[bool]:
    if orelse is None:
        return False
    if isinstance(orelse, cst.If):
        return _stmt_exits(orelse, ctx)
    return _exits(orelse.body.body, ctx)


def _stmt_exits(stmt: cst.BaseStatement, ctx) -> Optional[bool]:
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, (cst.Return, cst.Raise)):
                return True
            if (isinstance(small, cst.Assert) and isinstance(small.test, cst.Name)
                    and small.test.value == "False"):
                return True
        return False
    if isinstance(stmt, cst.If):
        static = _static(stmt.test, ctx)
        if static is True:
            return _exits(stmt.body.body, ctx)
        if static is False:
            return _else_exits(stmt.orelse, ctx)
        body = _exits(stmt.body.body, ctx)
        other = _else_exits(stmt.orelse, ctx)
        if maybe_folded(stmt.test, ctx) and body is not other:
            return None
        return _and(body, other)
    if isinstance(stmt, (cst.For, cst.While)):
        return None if stmt.orelse is not None else False
    if isinstance(stmt, cst.With):
        return _exits(stmt.body.body, ctx)
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return False
    return None  # try, match, ...: not TorchScript anyway


def _is_stub(stmts: Sequence[cst.BaseStatement]) -> bool:
    for stmt in stmts:
        if not isinstance(stmt, cst.SimpleStatementLine):
            return False
        for small in stmt.body:
            if isinstance(small, cst.Pass):
                continue
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.Ellipsis, cst.SimpleString,
                                                                          cst.ConcatenatedString)):
                continue
            return False
    return True


def _has_own_break(node: cst.CSTNode) -> bool:
    """Is there a ``break`` below ``node`` that leaves the loop ``node`` belongs to?"""
    for child in iter_children(node):
        if isinstance(child, cst.Break):
            return True
        if isinstance(child, (cst.For, cst.While)):
            if child.orelse is not None and _has_own_break(child.orelse):
                return True
            continue
        if isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if _has_own_break(child):
            return True
    return False


def _append_fix(ctx, fn: cst.FunctionDef, text: str, message: str, safe: bool):
    """Append ``text`` as the function's last statement (by rewriting its current last one)."""
    if not isinstance(fn.body, cst.IndentedBlock) or not fn.body.body:
        return None
    last = fn.body.body[-1]
    edit = _top_replacement(ctx, last, [last, cst.parse_statement(text + "\n")])
    if edit is None:
        return None
    return (ctx.safe_fix if safe else ctx.unsafe_fix)(message, [edit])


def _top_replacement(ctx, stmt, new):
    # ``statement_replacement`` needs ``stmt`` on the walk's parent chain: at function start
    # it is not, so pretend it is (a top-level statement of the body).
    saved = ctx.parents
    ctx.parents = [stmt]
    try:
        return statement_replacement(ctx, stmt, new)
    finally:
        ctx.parents = saved


class MissingReturn(Rule):
    """
    ## What it does
    Flags compiled functions annotated with a return type other than ``None`` (``Optional``
    included) where some path reaches the end of the body without ``return`` or ``raise``:
    an ``if`` without ``else``, an ``elif`` chain without a final ``else``, or a last
    statement that is a loop returning from inside — even ``while True:``.

    ## Why is this bad?
    Python returns ``None`` implicitly; TorchScript refuses: "Function was not annotated as
    having type None, but does not return along all paths". It does not treat loops as
    returning, and only folds conditions it can decide at compile time (``True``,
    ``torch.jit.is_scripting()``, ``is None`` on non-Optional values, ``isinstance``,
    ``Final`` attributes); the rule gives up on the latter three rather than guess. A path
    ending in ``raise`` or ``assert False`` is fine.

    ## Example
    ```python
    def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
        if flag:
            return x
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
        if flag:
            return x
        raise ValueError("flag must be set")
    ```

    ## Fix safety
    For an ``Optional[...]`` return type the fix appends ``return None``, which is what
    Python did implicitly: safe. After a ``while True:`` loop that cannot ``break``, the
    appended ``raise`` is unreachable: safe. Otherwise the fix appends a ``raise``, which
    turns an implicit ``None`` into an exception: unsafe.
    """

    code = "JIT112"
    name = "missing-return"
    message = "not every path returns a value, but the function is annotated with a non-None return type"
    fix_safety = "unsafe"
    evidence = ("s024",)

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                if flag:  # MARK
                    return x
            """,
            inputs="[(torch.ones(3), True)]",
        ),
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, k: int) -> Optional[torch.Tensor]:
                if k == 0:
                    return x
                elif k == 1:  # MARK
                    return x + 1
            """,
            inputs="[(torch.ones(3), 0), (torch.ones(3), 1), (torch.ones(3), 2)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                while True:  # MARK
                    if bool(x.sum() > 10):
                        return x
                    x = x * 2
            """,
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                if flag:
                    return x
                raise ValueError("flag must be set")
            """,
            inputs="[(torch.ones(3), True)]",
        ),
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, k: int) -> Optional[torch.Tensor]:
                if k == 0:
                    return x
                elif k == 1:
                    return x + 1
                return None
            """,
            inputs="[(torch.ones(3), 0), (torch.ones(3), 1), (torch.ones(3), 2)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                while True:
                    if bool(x.sum() > 10):
                        return x
                    x = x * 2
                raise RuntimeError("unreachable")
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                if x is not None:
                    return x
            """,
            inputs="[(torch.ones(3), True)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                if torch.jit.is_scripting():
                    return x + 1
                else:
                    if flag:
                        return x + 1
                    assert False, "unreachable in TorchScript"
            """,
            inputs="[(torch.ones(3), True)]",
        ),
    ]

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        info = ctx.function
        if info is None or fn.returns is None or fn.asynchronous is not None:
            return
        if not isinstance(fn.body, cst.IndentedBlock):
            return
        ret = annotation_type(fn.returns, ctx.names)
        if ret == NONE:
            return
        if ret is None:
            ann = fn.returns.annotation
            text = ann.evaluated_value if isinstance(ann, cst.SimpleString) else dotted_name(ann)
            if isinstance(text, str) and text.split(".")[-1] in ("None", "NoReturn", "Never"):
                return
        if any(any(k in d for k in _SKIP_DECORATORS) for d in info.decorators):
            return
        stmts = fn.body.body
        if not stmts or _is_stub(stmts):
            return
        if _exits(stmts, ctx) is not False:
            return
        if any(isinstance(n, cst.Yield) for n in iter_descendants(fn.body)):
            return  # a generator: generator-or-async reports it
        last = stmts[-1]
        returns = ctx.code_of(fn.returns.annotation)
        if isinstance(last, (cst.For, cst.While)):
            detail = ("it ends with a loop, and TorchScript never treats a loop as returning (not even "
                      "`while True:`): add a `return` or `raise` after it")
        elif isinstance(last, cst.If):
            # point at the `elif` that lacks an `else` when the earlier branches all exit
            while isinstance(last.orelse, cst.If) and _exits(last.body.body, ctx) is True:
                last = last.orelse
            detail = "this `if` has a path that neither returns nor raises (Python would return `None`)"
        else:
            detail = "the body can end here without `return` (Python would return `None`)"
        if is_optional(ret):
            fix = _append_fix(ctx, fn, "return None", "Add `return None` at the end (what Python did implicitly)",
                              True)
        elif (isinstance(last, cst.While) and isinstance(last.test, cst.Name) and last.test.value == "True"
              and not _has_own_break(last.body)):
            fix = _append_fix(ctx, fn, 'raise RuntimeError("unreachable")',
                              "Add an unreachable `raise` after the `while True:` loop", True)
        else:
            fix = _append_fix(ctx, fn, f'raise RuntimeError("{info.name}: no value to return")',
                              "Add a final `raise` (the implicit `None` becomes an exception)", False)
        ctx.report(last, f"`{info.name}` is annotated `-> {returns}` but does not return along all paths: "
                         f"{detail}", fix=fix)
