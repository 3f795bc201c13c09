from typing import List, Optional

import libcst as cst

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
    The fix drops the spec/conversion (``f"{v=}"`` becomes ``f"v={v}"``). It is unsafe: the
    produced text changes (rounding, padding and ``repr`` quoting are lost).
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


def _fix(node: cst.FormattedString, ctx):
    parts = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringExpression) and _problem(part) is not None:
            if part.equal is not None:
                ws = part.whitespace_before_expression
                if not (isinstance(ws, cst.SimpleWhitespace) and ws.value == ""):
                    return None
                parts.append(cst.FormattedStringText(ctx.code_of(part.expression) + "="))
            parts.append(part.with_changes(conversion=None, format_spec=None, equal=None,
                                           whitespace_after_expression=cst.SimpleWhitespace("")))
        else:
            parts.append(part)
    new = node.with_changes(parts=parts)
    return ctx.unsafe_fix("Drop the format spec / conversion (the text changes)",
                          [(node, ctx.file.module.code_for_node(new))])
