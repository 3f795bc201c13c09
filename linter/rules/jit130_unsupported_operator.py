import libcst as cst

from ..analysis.statement_edits import statement_replacement
from ..analysis.typecheck.lattice import BOOL, FLOAT, INT, NONE, SBOOL, SINT, STR, describe, kind
from .base import Example, Rule

_INTS = (INT, SINT)
_BOOLS = (BOOL, SBOOL)
_ATOMIC = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer)


def _type(node: cst.BaseExpression, ctx):
    """``ctx.type_of``, except that a comparison of operands of unknown type is unknown (it is a
    Tensor when an operand is one)."""
    t = ctx.type_of(node)
    if isinstance(node, cst.Comparison) and not all(
            isinstance(c.operator, (cst.Is, cst.IsNot, cst.In, cst.NotIn)) for c in node.comparisons):
        if ctx.type_of(node.left) is None or any(ctx.type_of(c.comparator) is None for c in node.comparisons):
            return None
    return t


class UnsupportedOperator(Rule):
    """
    ## What it does
    Flags operators TorchScript has no overload for, on operands whose types are known:
    ``==``/``!=`` between dicts, ``~`` on an ``int``, ``bool`` or ``float``, ``|``/``|=`` between
    dicts, and repeating a string with ``*`` (``"-" * 20``).

    ## Why is this bad?
    ``torch.jit.script`` rejects them with "Arguments for call are not valid". Note that ``~`` on a
    Python ``bool`` is a bug in eager code as well: ``~True`` is ``-2``, which is truthy.
    ``~`` on a (bool) Tensor, ``|``/``&``/``^`` on ints and bools, ``==`` on lists and tuples,
    ``in`` on dicts and ``[0] * n`` are supported.

    ## Example
    ```python
    def fn(a: Dict[str, int], b: Dict[str, int], flag: bool) -> bool:
        return a == b and ~flag
    ```

    ## Use instead
    ```python
    def fn(a: Dict[str, int], b: Dict[str, int], flag: bool) -> bool:
        same = len(a) == len(b)
        for k, v in a.items():
            if k not in b or b[k] != v:
                same = False
        return same and not flag
    ```

    ## Fix safety
    ``~n`` on an ``int`` becomes ``(-n - 1)``, the same value: safe. ``s * n`` of a ``str`` and an
    ``int`` becomes ``"".join([s] * max(n, 0))`` (the ``max`` dropped for a literal, ``len(...)`` or ``x.dim()``
    count: TorchScript's list repeat fails on a negative count), the same str for every ``n``: safe. ``~b`` on a ``bool`` gets no
    fix: ``not b`` is almost certainly what was meant, but it changes what eager Python computes
    (``~True`` is ``-2``, truthy), and the equivalent ``-int(b) - 1`` would keep the bug. Between
    dicts (names or attributes), ``d |= e`` becomes ``d.update(e)`` and ``x = d | e`` becomes
    ``x = d.copy()`` then ``x.update(e)`` (``return d | e`` the same through a new local): the
    same dict in eager Python (``|`` builds a copy of ``d`` updated with ``e``), safe. The other
    operators get no fix.
    """

    code = "JIT130"
    name = "unsupported-operator"
    message = "this operator is not supported by torch.jit.script for these operand types"
    fix_safety = "safe"
    evidence = ("s226", "s222", "s231")

    INVALID = [
        Example(
            """
            from typing import Dict
            import torch

            def fn(a: Dict[str, int], b: Dict[str, int]) -> bool:
                return a == b  # MARK
            """,
            inputs="[({'a': 1}, {'a': 1})]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int) -> int:
                return ~n  # MARK
            """,
            inputs="[(torch.ones(3), 5)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                if ~flag:  # MARK
                    return x + 1
                return x
            """,
            inputs="[(torch.ones(3), True)]",
        ),
        Example(
            """
            from typing import Dict
            import torch

            def fn(d: Dict[str, int], e: Dict[str, int]) -> Dict[str, int]:
                return d | e  # MARK
            """,
            inputs="[({'a': 1}, {'b': 2})]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> str:
                return "-" * x.dim()  # MARK
            """,
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Dict, List, Tuple
            import torch

            def fn(x: torch.Tensor, d: Dict[str, int], xs: List[int], t: Tuple[int, int],
                   n: int, flag: bool) -> torch.Tensor:
                same = len(d) == len(xs) and xs == [1, 2] and t == (1, 2) and "a" in d
                m = (n | 2) ^ (n & 1)
                mask = ~(x > 0)
                zeros = [0] * n
                if not flag and not same:
                    return x + m + len(zeros)
                return x * mask
            """,
            inputs="[(torch.ones(3), {'a': 1}, [1, 2], (1, 2), 3, False)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    print("-" * 20, ~n)
                return x + (-n - 1)
            """,
            inputs="[(torch.ones(3), 5)]",
        ),
    ]

    def visit_Comparison(self, node: cst.Comparison, ctx) -> None:
        left = node.left
        for comp in node.comparisons:
            if isinstance(comp.operator, (cst.Equal, cst.NotEqual)):
                lt, rt = ctx.type_of(left), ctx.type_of(comp.comparator)
                if kind(lt) == "dict" and kind(rt) in ("dict", NONE) or kind(rt) == "dict" and kind(lt) == NONE:
                    op = "==" if isinstance(comp.operator, cst.Equal) else "!="
                    ctx.report(node, f"`{op}` between dicts is not supported by torch.jit.script: compare "
                                     "lengths and items in a loop (use `is None` for None checks)")
                    return
            left = comp.comparator

    def visit_UnaryOperation(self, node: cst.UnaryOperation, ctx) -> None:
        if not isinstance(node.operator, cst.BitInvert):
            return
        t = _type(node.expression, ctx)
        if t not in _INTS and t not in _BOOLS and t != FLOAT:
            return
        inner = ctx.code_of(node.expression)
        if not isinstance(node.expression, _ATOMIC) and not node.expression.lpar:
            inner = f"({inner})"
        fix = None
        if t in _INTS:
            fix = ctx.safe_fix("Use `-n - 1`", [(node, f"(-{inner} - 1)")])
            hint = "write `-n - 1`"
        elif t in _BOOLS:
            hint = "use `not` (`~True` is -2 in Python too)"
        else:
            hint = "it is not defined for floats"
        ctx.report(node, f"`~` on a {describe(t)} is not supported by torch.jit.script: {hint}", fix=fix)

    def visit_BinaryOperation(self, node: cst.BinaryOperation, ctx) -> None:
        op = node.operator
        if isinstance(op, cst.BitOr):
            if kind(ctx.type_of(node.left)) == "dict" and kind(ctx.type_of(node.right)) == "dict":
                ctx.report(node, "`|` between dicts is not supported by torch.jit.script: copy and `update()`",
                           fix=_merge_fix(node, ctx))
        elif isinstance(op, cst.Multiply):
            lt, rt = ctx.type_of(node.left), ctx.type_of(node.right)
            if lt == STR and rt in _INTS or rt == STR and lt in _INTS:
                ctx.report(node, "repeating a str with `*` is not supported by torch.jit.script: build it with a "
                                 "loop or `\"\".join(...)`", fix=_repeat_fix(node, lt == STR, ctx))

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        if isinstance(node.operator, cst.BitOrAssign) and kind(ctx.type_of(node.target)) == "dict" \
                and kind(ctx.type_of(node.value)) == "dict":
            fix = None
            if _plain(node.target) and isinstance(ctx.parent, cst.SimpleStatementLine):
                fix = ctx.safe_fix("Use `update()`", [(node, f"{ctx.code_of(node.target)}.update("
                                                            f"{ctx.code_of(node.value)})")])
            ctx.report(node, "`|=` between dicts is not supported by torch.jit.script: use `update()`", fix=fix)


_ATOMS = (cst.Name, cst.Integer, cst.SimpleString, cst.Call, cst.Attribute, cst.Subscript)


def _plain(node: cst.BaseExpression) -> bool:
    """A name or an attribute chain of names (evaluating it twice or later calls nothing)."""
    return isinstance(node, cst.Name) or (isinstance(node, cst.Attribute) and _plain(node.value))


def _merge_fix(node: cst.BinaryOperation, ctx):
    """``x = d | e`` -> ``x = d.copy()`` + ``x.update(e)``; ``return d | e`` the same through a
    new local."""
    parents = ctx.parents
    if not (_plain(node.left) and _plain(node.right)) or len(parents) < 2 or ctx.function is None:
        return None
    owner, line = parents[-1], parents[-2]
    if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 and line.body[0] is owner):
        return None
    d, e = ctx.code_of(node.left), ctx.code_of(node.right)
    if isinstance(owner, cst.Assign) and owner.value is node and len(owner.targets) == 1 \
            and isinstance(owner.targets[0].target, cst.Name):
        target = owner.targets[0].target.value
        if target == e.split(".")[0]:
            return None  # `e = d | e`: the copy would rebind what update() reads
        tail = []
    elif isinstance(owner, cst.Return) and owner.value is node:
        import re

        code = ctx.code_of(ctx.function.node)
        target = next((n for n in ("merged", "merged_", "merged_dict") if not re.search(rf"\b{n}\b", code)), None)
        if target is None:
            return None
        tail = [cst.parse_statement(f"return {target}\n")]
    else:
        return None
    new = [cst.parse_statement(f"{target} = {d}.copy()\n"), cst.parse_statement(f"{target}.update({e})\n"), *tail]
    edit = statement_replacement(ctx, line, new)
    if edit is None:
        return None
    return ctx.safe_fix("Copy and `update()`", [edit])


def _never_negative(count: cst.BaseExpression) -> bool:
    """A literal count, ``len(...)`` or ``x.dim()``: repeating by it needs no ``max(n, 0)``."""
    if isinstance(count, cst.Integer):
        return True
    if isinstance(count, cst.Call) and not count.args:
        return isinstance(count.func, cst.Attribute) and count.func.attr.value == "dim"
    return isinstance(count, cst.Call) and isinstance(count.func, cst.Name) and count.func.value == "len"


def _repeat_fix(node: cst.BinaryOperation, str_left: bool, ctx):
    """``s * n`` -> ``"".join([s] * n)``: the same str for every int ``n`` (empty when ``n <= 0``)."""
    text, count = (node.left, node.right) if str_left else (node.right, node.left)
    if node.lpar or (not str_left and not all(isinstance(o, (cst.Name, cst.Integer, cst.SimpleString))
                                              for o in (node.left, node.right))):
        return None  # `n * s` is rewritten only where evaluating s before n changes nothing
    n = ctx.code_of(count)
    if not _never_negative(count):
        n = f"max({n}, 0)"  # TorchScript's list repeat fails on a negative count (vector::reserve)
    elif not isinstance(count, _ATOMS):
        n = f"({n})"
    return ctx.safe_fix("Join a repeated list: `\"\".join([s] * n)`", [(node, f'"".join([{ctx.code_of(text)}] * {n})')])
