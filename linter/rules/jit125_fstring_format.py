from typing import List, Optional, Tuple

import libcst as cst

from ..analysis.typecheck.lattice import BOOL, FLOAT, INT, SBOOL, SINT, STR
from .base import Example, Rule


def _problem(part: cst.FormattedStringExpression) -> Optional[str]:
    if part.equal is not None:
        return "a self-documenting `=`"
    if part.conversion is not None:
        return f"a `!{part.conversion}` conversion"
    if part.format_spec is not None:
        return "a format spec"
    return None


class FstringFormat(Rule):
    """
    ## What it does
    Flags f-string placeholders that use a format spec (``f"{v:.2f}"``, ``f"{v:>{w}}"``, even an
    empty ``f"{v:}"``), a conversion (``f"{s!r}"``, ``f"{s!s}"``) or the self-documenting
    ``f"{v=}"`` form in compiled code, and literal ``{}`` text in an f-string (``f"{{}} {v}"``).

    ## Why is this bad?
    TorchScript's frontend turns an f-string into ``"...{}...".format(...)`` and rejects
    everything but plain placeholders: "Don't support formatting in JoinedStr", "Don't support
    conversion in JoinedStr" (``{v=}`` is a conversion in Python's AST). Being frontend errors,
    they fire even inside ``if not torch.jit.is_scripting():``. Literal ``{}`` text is taken as
    one more placeholder and the compiled code raises "Too few arguments for format string".
    Plain ``f"n={n}"`` is supported.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> str:
        v = float(x.sum())
        return f"v={v:.2f}"
    ```

    ## Use instead
    Plain placeholders (the text changes: no rounding or padding), or build the string outside
    TorchScript (e.g. in a ``@torch.jit.ignore`` helper):
    ```python
    def fn(x: torch.Tensor) -> str:
        v = float(x.sum())
        return f"v={v}"
    ```

    ## Fix safety
    A fix is offered only where the plain placeholder prints the same text. ``f"{v:}"`` (an empty
    spec is ``format(v, "")``) becomes ``f"{v}"`` and ``f"{s!s}"`` of a ``str`` becomes ``f"{s}"``:
    safe. ``f"{n=}"``, ``f"{n!r}"`` and ``f"{n!a}"`` of an ``int``, ``float`` or ``bool`` (and ``f"{n!s}"``
    of an ``int`` or ``bool``: TorchScript prints a float's ``str`` differently, ``-0.0`` as ``0.``) become
    ``f"n={n}"`` / ``f"{n}"``: unsafe, because that holds only when the value really is a Python
    number as typed (a numpy scalar's ``repr`` is ``np.int64(2)``). Real format specs
    (``:.2f``, ``:>{w}``) and ``repr`` of strings get no fix: TorchScript cannot produce that
    text, so format it outside TorchScript (a ``@torch.jit.ignore`` helper).
    """

    code = "JIT125"
    name = "fstring-format"
    message = "f-string format specs and conversions are not supported by torch.jit.script"
    frontend = True
    fix_safety = "unsafe"
    evidence = ("s211", "s212", "s210")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> str:
                v = float(x.sum())
                return f"v={v:.2f}"  # MARK
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, s: str) -> str:
                return f"name={s!r}"  # MARK
            """,
            inputs="[(torch.ones(3), 'a')]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int) -> str:
                if not torch.jit.is_scripting():
                    return f"{n=}"  # MARK
                return ""
            """,
            inputs="[(torch.ones(3), 2)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int, w: int) -> str:
                return f"{n:>{w}}"  # MARK
            """,
            inputs="[(torch.ones(3), 2, 4)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int, s: str) -> str:
                return f"{n=} name={s!s} {x.dim():}"  # MARK
            """,
            inputs="[(torch.ones(3), 2, 'a')]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int) -> str:
                return f"{{}} {n}"  # MARK
            """,
            inputs="[(torch.ones(3), 2)]",
            expect="diverge",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, s: str) -> str:
                n = x.numel()
                return f"n={n} t={x.dim()} name='{s}' {{literal}}"
            """,
            inputs="[(torch.ones(3), 'a')]",
        ),
        Example(
            """
            import torch

            @torch.jit.ignore
            def describe(v: float) -> str:
                return f"{v:.2f}"

            def fn(x: torch.Tensor) -> str:
                return "v=" + describe(float(x.sum()))
            """,
        ),
    ]

    def visit_FormattedString(self, node: cst.FormattedString, ctx) -> None:
        problems: List[str] = []
        literal_braces = False
        for part in node.parts:
            if isinstance(part, cst.FormattedStringExpression):
                what = _problem(part)
                if what is not None and what not in problems:
                    problems.append(what)
            elif isinstance(part, cst.FormattedStringText) and "{{}}" in part.value:
                literal_braces = literal_braces or "{}" in part.value.replace("{{", "{").replace("}}", "}")
        if problems:
            ctx.report(node, f"f-string placeholder with {' and '.join(problems)} is not supported by "
                             "torch.jit.script (only plain `{expr}` placeholders are): use `f\"{v}\"` or "
                             "format outside TorchScript", fix=_fix(node, ctx))
        elif literal_braces and not ctx.script_dead:
            ctx.report(node, "a literal `{}` in an f-string is read as a placeholder by TorchScript: the compiled "
                             "code raises 'Too few arguments for format string'")


# Types whose ``repr`` is their ``str`` and their ``format(v, "")`` (Python numbers and bools).
_REPR_IS_STR = (INT, SINT, FLOAT, BOOL, SBOOL)
_INT_OR_BOOL = (INT, SINT, BOOL, SBOOL)


def _plain(part: cst.FormattedStringExpression, ctx) -> Optional[Tuple[str, bool]]:
    """``(new text, safe)`` for a placeholder whose plain ``{expr}`` form prints the same, else None."""
    expr = ctx.code_of(part.expression)
    t = ctx.type_of(part.expression)
    spec = part.format_spec
    if part.equal is not None:
        if ctx.code_of(part) != "{" + expr + "=}" or t not in _REPR_IS_STR:
            return None  # `{v = }` keeps its spaces; `{s=}` quotes a str
        return expr + "={" + expr + "}", False
    if spec is not None:
        if part.conversion is not None or len(spec) > 0:
            return None
        return "{" + expr + "}", True  # `{v:}` is format(v, ""), exactly `{v}`
    if part.conversion == "s" and t == STR:
        return "{" + expr + "}", True
    if part.conversion in ("r", "a") and t in _REPR_IS_STR or part.conversion == "s" and t in _INT_OR_BOOL:
        return "{" + expr + "}", False
    return None


def _fix(node: cst.FormattedString, ctx):
    """Rewrite the placeholders whose plain form prints the same text; None if one cannot be."""
    if node.lpar:
        return None
    out = [node.start]
    safe = True
    for part in node.parts:
        if isinstance(part, cst.FormattedStringExpression) and _problem(part) is not None:
            plain = _plain(part, ctx)
            if plain is None:
                return None
            text, part_safe = plain
            out.append(text)
            safe = safe and part_safe
        else:
            out.append(ctx.code_of(part))
    out.append(node.end)
    text = "".join(out)
    if safe:
        return ctx.safe_fix("Use a plain placeholder (the same text)", [(node, text)])
    return ctx.unsafe_fix("Use a plain placeholder (the same text for Python numbers)", [(node, text)])
