import re
import string
from typing import List, Optional

import libcst as cst

from ..analysis.typecheck.lattice import STR
from .base import Example, Rule

_INDEXED = re.compile(r"\{(\d+)\}")
_FIELD = re.compile(r"\{([A-Za-z_0-9]+)\}")


def _pure(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.Name, cst.Integer, cst.Float, cst.SimpleString))


def _reordered_fix(node: cst.Call, owner: cst.BaseExpression, problems: List[str], names: List[str], ctx):
    """`"{1}-{0}".format(a, b)` -> `"{}-{}".format(b, a)`, `"{n}".format(n=a)` -> `"{}".format(a)`.

    Only for plain numbered or named fields and arguments that are names or literals, so that
    evaluating them in another order, twice or not at all changes nothing.
    """
    if problems not in ([], ["placeholder names/indices"]) or not isinstance(owner, cst.SimpleString):
        return None
    if any(a.star for a in node.args) or not all(_pure(a.value) for a in node.args):
        return None
    if not names or "" in names or len(_FIELD.findall(owner.value)) != len(names) or "{{" in owner.value:
        return None
    positional = [a.value for a in node.args if a.keyword is None]
    named = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
    values = []
    for name in names:
        if name.isdigit():
            if int(name) >= len(positional):
                return None
            values.append(positional[int(name)])
        elif name in named:
            values.append(named[name])
        else:
            return None
    template = _FIELD.sub("{}", owner.value)
    call = f"{template}.format({', '.join(ctx.code_of(v) for v in values)})"
    return ctx.safe_fix("Use plain `{}` placeholders with the arguments in order", [(node, call)])


def _template(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - undecodable literal
            return None
        return value if isinstance(value, str) else None
    return None


class StrFormatSpec(Rule):
    """
    ## What it does
    Flags ``"...".format(...)`` calls in compiled code whose literal template uses anything but
    plain ``{}`` placeholders: an index (``"{0}-{1}"``), a name (``"{n}"``), a format spec
    (``"{:.2f}"``, ``"{:>5}"``), a conversion (``"{!r}"``) or escaped braces (``"{{x}}"``), and
    ``.format`` calls with keyword arguments.

    ## Why is this bad?
    TorchScript's ``str.format`` only substitutes ``{}``: other placeholders are left in the
    output untouched, so ``"{:.2f}".format(v)`` returns ``"{:.2f}"`` and ``"{0}-{1}".format(a, b)``
    returns ``"{0}-{1}"`` once scripted, silently. Escaped braces stay doubled (``"{{x}}"``) or
    raise "Too few arguments for format string"; keyword arguments are rejected ("aten::format(str
    self, ...) -> str"). Only a literal template can be judged; ``"{} {}".format(a, b)`` is fine.

    ## Example
    ```python
    def fn(a: int, b: int, v: float) -> str:
        return "{0}-{1}: {:.2f}".format(a, b, v)
    ```

    ## Use instead
    Plain placeholders, formatting numbers explicitly (or building the text outside TorchScript):
    ```python
    def fn(a: int, b: int, v: float) -> str:
        return "{}-{}: {}".format(a, b, round(v * 100) / 100)
    ```

    ## Fix safety
    When the template only numbers its placeholders in order (``"{0}-{1}"``), the fix renumbers
    them to ``"{}-{}"``, which formats identically in Python: safe. Numbered fields out of order,
    repeated, or named (``"{1}-{0}".format(a, b)``, ``"{n}".format(n=a)``) become plain ``{}``
    with the arguments listed in the fields' order (``"{}-{}".format(b, a)``) when every argument
    is a name or a literal (evaluating those in another order or twice changes nothing): safe.
    Other forms get no fix.
    """

    code = "JIT126"
    name = "str-format-spec"
    message = "str.format only substitutes plain `{}` placeholders in TorchScript"
    fix_safety = "safe"
    evidence = ("s214",)

    INVALID = [
        Example(
            """
            import torch

            def fn(v: float) -> str:
                return "{:.2f}".format(v)  # MARK
            """,
            inputs="[(1.23456,)]",
            expect="diverge",
        ),
        Example(
            """
            import torch

            def fn(a: int, b: int) -> str:
                return "{0}-{1}".format(a, b)  # MARK
            """,
            inputs="[(1, 2)]",
            expect="diverge",
        ),
        Example(
            """
            import torch

            def fn(a: int) -> str:
                return "{n}".format(n=a)  # MARK
            """,
            inputs="[(1,)]",
        ),
        Example(
            """
            import torch

            def fn(s: str) -> str:
                return "{{{}}} {!r}".format(s, s)  # MARK
            """,
            inputs="[('ab',)]",
            expect="diverge",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> str:
                return "{} {}".format(x.numel(), x.dim())
            """,
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(a: int, xs: List[int]) -> str:
                if not torch.jit.is_scripting():
                    print("{0:>4}".format(a))
                return "{}-{}".format(a, xs)
            """,
            inputs="[(1, [2, 3])]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "format"):
            return
        owner = func.value
        keywords = [a.keyword.value for a in node.args if a.keyword is not None]
        template = _template(owner)
        if template is None:
            if keywords and ctx.type_of(owner) == STR:
                ctx.report(node, "`str.format` with keyword arguments is rejected by torch.jit.script: pass the "
                                 "values positionally to `{}` placeholders")
            return
        try:
            fields = list(string.Formatter().parse(template))
        except ValueError:
            return  # malformed: eager Python raises as well
        problems: List[str] = []
        names = []
        for literal, name, spec, conversion in fields:
            if ("{" in literal or "}" in literal) and "escaped braces `{{`/`}}`" not in problems:
                problems.append("escaped braces `{{`/`}}`")
            if name is None:
                continue
            names.append(name)
            if name and "placeholder names/indices" not in problems:
                problems.append("placeholder names/indices")
            if spec and "format specs" not in problems:
                problems.append("format specs")
            if conversion and "conversions" not in problems:
                problems.append("conversions")
        if keywords:
            fix = _reordered_fix(node, owner, problems, names, ctx)
            ctx.report(node, "`str.format` with keyword arguments is rejected by torch.jit.script: use plain `{}` "
                             "placeholders and positional arguments", fix=fix)
            return
        if not problems:
            return
        fix = None
        if problems == ["placeholder names/indices"] and names == [str(i) for i in range(len(names))] \
                and isinstance(owner, cst.SimpleString) and len(_INDEXED.findall(owner.value)) == len(names):
            fix = ctx.safe_fix("Use plain `{}` placeholders", [(owner, _INDEXED.sub("{}", owner.value))])
        else:
            fix = _reordered_fix(node, owner, problems, names, ctx)
        ctx.report(node, f"`str.format` template with {', '.join(problems)}: TorchScript only substitutes plain "
                         "`{}`, so the compiled code returns the template unformatted (silently)", fix=fix)
