from typing import List, Optional

import libcst as cst

from .base import Example, Rule

# Conversions TorchScript's `%` formatting implements (checked against torch 2.13).
_SUPPORTED = frozenset("sdifeEFc")


def _unsupported(template: str) -> Optional[List[str]]:
    """The unsupported ``%`` directives of ``template`` (None when it cannot be parsed)."""
    out: List[str] = []
    i, n = 0, len(template)
    while i < n:
        if template[i] != "%":
            i += 1
            continue
        if i + 1 >= n:
            return None  # incomplete: eager Python raises as well
        nxt = template[i + 1]
        if nxt == "%":
            i += 2
            continue
        if nxt in _SUPPORTED:
            i += 2
            continue
        # flags, mapping key, width, precision or another conversion: take the directive
        j = i + 1
        if nxt == "(":
            close = template.find(")", j)
            if close < 0:
                return None
            j = close + 1
        while j < n and template[j] in "#0- +*.0123456789hlL":
            j += 1
        directive = template[i:j + 1]
        if directive not in out:
            out.append(directive)
        i = j + 1
    return out


class PercentFormatSpec(Rule):
    """
    ## What it does
    Flags ``%``-formatting in compiled code whose literal template uses a directive TorchScript
    does not implement: a precision or width (``"%.2f"``, ``"%5d"``), flags (``"%-5s"``,
    ``"% d"``), a mapping key (``"%(k)s"``) or a conversion other than ``%s``, ``%d``, ``%i``,
    ``%f``, ``%e``, ``%E``, ``%F``, ``%c`` (e.g. ``%r``, ``%x``, ``%g``, ``%o``).

    ## Why is this bad?
    These compile, then the scripted code raises at run time: "The specifier %. is not supported
    in TorchScript format strings". Plain ``"n=%d dim=%s" % (n, d)`` and ``"%d%%"`` work. Only a
    literal left operand can be judged.

    ## Example
    ```python
    def fn(v: float) -> str:
        return "%.2f" % v
    ```

    ## Use instead
    Plain directives (the text changes), or format outside TorchScript:
    ```python
    def fn(v: float) -> str:
        return "%s" % (round(v * 100) / 100)
    ```

    ## Fix safety
    No automatic fix: no supported directive reproduces a precision, width or ``repr``.
    """

    code = "JIT127"
    name = "percent-format-spec"
    message = "this `%` format directive raises at run time in TorchScript"
    evidence = ("s213",)

    INVALID = [
        Example(
            """
            import torch

            def fn(v: float) -> str:
                return "%.2f" % v  # MARK
            """,
            inputs="[(1.23456,)]",
            expect="diverge",
        ),
        Example(
            """
            import torch

            def fn(n: int, s: str) -> str:
                return "%5d %r" % (n, s)  # MARK
            """,
            inputs="[(7, 'a')]",
            expect="diverge",
        ),
        Example(
            """
            from typing import Dict
            import torch

            def fn(d: Dict[str, int]) -> str:
                return "%(k)s" % d  # MARK
            """,
            inputs="[({'k': 1},)]",
            expect="diverge",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> str:
                n = x.numel()
                return "n=%d dim=%s %i%% %c" % (n, x.dim(), n, 65)
            """,
        ),
        Example(
            """
            import torch

            def fn(v: float) -> str:
                if not torch.jit.is_scripting():
                    print("%.2f" % v)
                return "%f %e" % (v, v)
            """,
            inputs="[(1.5,)]",
        ),
    ]

    def visit_BinaryOperation(self, node: cst.BinaryOperation, ctx) -> None:
        if not isinstance(node.operator, cst.Modulo):
            return
        left = node.left
        if not isinstance(left, (cst.SimpleString, cst.ConcatenatedString)):
            return
        try:
            template = left.evaluated_value
        except Exception:  # noqa: BLE001 - undecodable literal
            return
        if not isinstance(template, str) or "%" not in template:
            return
        bad = _unsupported(template)
        if bad:
            ctx.report(node, f"`%` format directive{'s' if len(bad) > 1 else ''} {', '.join(f'`{d}`' for d in bad)} "
                             "compile but raise at run time in TorchScript (only %s %d %i %f %e %E %F %c and %% "
                             "are supported)")
