from typing import Optional

import libcst as cst

from ..analysis import schemas
from ..analysis.argument_kinds import argument_kind
from ..analysis.typecheck.certain import NamedTupleDef, namedtuple_named
from ..analysis.typecheck.torchscript import (NUMBER, TENSOR, TSType, annotation_hint, is_subtype, spell,
                                              value_type)
from .base import Example, Rule


def _formal(nt: NamedTupleDef, index: int, ctx) -> Optional[TSType]:
    field = nt.fields[index]
    if field.annotation is None:
        return TENSOR  # collections.namedtuple: every field is a Tensor ("Tensor (inferred)")
    return annotation_hint(field.annotation, ctx)


def _mentions_conversion(t: TSType) -> bool:
    """Does ``t`` hold a part schema matching may convert implicitly (a Tensor or Scalar to a
    number, a bool to an int, a str to a device)?"""
    if t is None:
        return True
    if isinstance(t, str):
        return t in (TENSOR, NUMBER, "bool", "str")
    if t[0] == "NamedTuple":
        return any(_mentions_conversion(ft) for _, ft in t[2])
    parts = t[1] if t[0] in ("Tuple", "Union") else t[1:]
    return any(_mentions_conversion(p) for p in parts)


def _type_problem(value: cst.BaseExpression, formal: TSType, ctx) -> Optional[str]:
    """What the argument is when it certainly does not fit the field's type, else None."""
    if formal is None:
        return None
    if isinstance(formal, tuple) and formal[0] == "NamedTuple":
        # a plain tuple is no NamedTuple ("found type 'Tuple[int, Tensor]'"); other values: not modelled
        actual = value_type(value, ctx)
        if isinstance(actual, tuple) and actual[0] == "Tuple" and is_subtype(actual, formal) is False:
            return f"a `{spell(actual)}`"
        return None
    if isinstance(value, (cst.List, cst.Tuple, cst.Dict)):
        # a literal is emitted with the field's type as its hint, then must be a subtype of it
        if not (isinstance(formal, tuple) and formal[0] in ("List", "Tuple", "Dict")):
            kind = argument_kind(value, ctx) if not isinstance(value, cst.Dict) else None
            if kind is not None and not schemas.kind_fits(kind, spell(formal)):
                return f"a {kind.split('[')[0]}"
            return None
        actual = value_type(value, ctx, formal)
        if actual is None or _mentions_conversion(actual) or is_subtype(actual, formal) is not False:
            return None
        return f"a `{spell(actual)}`"
    kind = argument_kind(value, ctx)
    if kind is None:
        return None
    base = spell(formal)
    if base.startswith(("List[", "Optional[List[")) and kind in ("int", "float", "bool"):
        return None  # a NamedTuple's list fields are broadcasting lists: one number may fit
    if schemas.kind_fits(kind, base):
        return None
    return f"a {kind}"


def _problem(nt: NamedTupleDef, node: cst.Call, ctx) -> Optional[str]:
    positional = [a for a in node.args if a.keyword is None]
    keywords = [a for a in node.args if a.keyword is not None]
    names = [f.name for f in nt.fields]
    if len(positional) > len(names):
        return f"too many positional arguments ({len(positional)}; it has {len(names)} fields)"
    given = {names[i]: a.value for i, a in enumerate(positional)}
    for a in keywords:
        name = a.keyword.value
        if name in given:
            return f"field `{name}` given twice (by position and by keyword)" if name in names[:len(positional)] \
                else f"field `{name}` given twice"
        given[name] = a.value
    missing = [f.name for f in nt.fields if f.name not in given and not f.has_default]
    if missing:
        return f"field `{missing[0]}` not provided"
    unknown = [n for n in given if n not in names]
    if unknown:
        return f"unknown keyword argument `{unknown[0]}` (the fields are {', '.join(names)})"
    for i, f in enumerate(nt.fields):
        formal = _formal(nt, i, ctx)
        if f.name in given:
            what = _type_problem(given[f.name], formal, ctx)
            if what is not None:
                return f"field `{f.name}` is `{spell(formal)}` but gets {what}"
        elif f.default is not None and formal is not None and _literal(f.default):
            # the default is a Python value, typed on its own (no hint), then matched
            actual = value_type(f.default, ctx)
            if actual is not None and not _mentions_conversion(actual) and is_subtype(actual, formal) is False:
                return (f"field `{f.name}` is `{spell(formal)}` and its default `{ctx.code_of(f.default)}`, "
                        f"used here, is a `{spell(actual)}`")
    return None


def _literal(node: cst.BaseExpression) -> bool:
    """A literal made of numbers, strings, True/False/None, lists, tuples and dicts (a class
    body's default: no name of the function's scope may type it)."""
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return _literal(node.expression)
    if isinstance(node, (cst.List, cst.Tuple)):
        return all(isinstance(e, cst.Element) and _literal(e.value) for e in node.elements)
    if isinstance(node, cst.Dict):
        return all(isinstance(e, cst.DictElement) and _literal(e.key) and _literal(e.value) for e in node.elements)
    return False


class NamedtupleConstructorArguments(Rule):
    """
    ## What it does
    Flags the construction of a NamedTuple defined in the same file (``class P(NamedTuple)``,
    ``NamedTuple("P", [...])`` or ``collections.namedtuple("P", [...])``) in compiled code whose
    arguments do not fit its fields: too many positional arguments, a field given twice or not
    at all, an unknown keyword, or an argument of a certain type that the field's annotation
    does not take (a float or ``None`` for an ``int`` field, an ``int`` for a ``float`` field, a
    string for a Tensor, ``[1, 2]`` for ``List[float]``, a plain tuple for a NamedTuple field,
    anything but a Tensor for a ``collections.namedtuple`` field), including a default of the
    wrong type used by the call (a default is typed as the Python value it is: ``[1, 2]`` is a
    ``List[int]``, which a ``List[Optional[int]]`` field does not take).

    ## Why is this bad?
    Python does not check a NamedTuple's annotations at all: ``P(1.5, t)`` builds a tuple
    holding a float. ``torch.jit.script`` compiles the constructor as a call of the schema
    ``P(int x, Tensor y)`` and rejects the compile ("Expected a value of type 'int' for argument
    'x' but instead found type 'float'", "Argument y not provided", "Keyword argument z
    unknown"). A ``collections.namedtuple`` has no annotations, so TorchScript types every field
    as a Tensor ("Expected a value of type 'Tensor (inferred)'"). The schema's implicit
    conversions still apply: a Tensor or ``x.item()`` for an ``int``/``float`` field, a bool for
    an ``int``, a string for a ``torch.device`` compile.

    ## Example
    ```python
    class Box(NamedTuple):
        score: float
        coords: torch.Tensor

    def fn(x: torch.Tensor) -> torch.Tensor:
        b = Box(1, x)
        return b.coords * b.score
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        b = Box(1.0, x)
        return b.coords * b.score
    ```
    Annotate the fields of a ``collections.namedtuple`` that hold other values by making it a
    ``typing.NamedTuple`` class.

    ## Fix safety
    No fix: whether the annotation or the value is wrong is the author's decision.
    """

    code = "JIT164"
    name = "namedtuple-constructor-arguments"
    message = "the NamedTuple's arguments do not fit its fields"

    INVALID = [
        Example(
            """
            from typing import NamedTuple
            import torch

            class Box(NamedTuple):
                score: float
                coords: torch.Tensor

            def fn(x: torch.Tensor) -> torch.Tensor:
                b = Box(1, x)  # MARK
                return b.coords * b.score
            """
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            class P(NamedTuple):
                n: int
                t: torch.Tensor

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = P(1.5, x)  # MARK
                return p.t
            """
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            class P(NamedTuple):
                n: int
                t: torch.Tensor

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = P(1, "x")  # MARK
                return x
            """
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            class P(NamedTuple):
                n: int
                t: torch.Tensor

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = P(None, x)  # MARK
                return p.t
            """
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            class P(NamedTuple):
                n: int
                t: torch.Tensor

            def fn(x: torch.Tensor) -> torch.Tensor:
                if x.sum() > 100:
                    p = P(1, x, x)  # MARK
                    return p.t
                return x
            """
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            class P(NamedTuple):
                n: int
                t: torch.Tensor

            def fn(x: torch.Tensor) -> torch.Tensor:
                if x.sum() > 100:
                    return P(1).t  # MARK
                return x
            """
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            class P(NamedTuple):
                n: int
                t: torch.Tensor

            def fn(x: torch.Tensor) -> torch.Tensor:
                if x.sum() > 100:
                    return P(1, x, size=3).t  # MARK
                return x
            """
        ),
        Example(
            """
            from typing import List, NamedTuple
            import torch

            class P(NamedTuple):
                weights: List[float]

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = P([1, 2])  # MARK
                return x
            """
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            class P(NamedTuple):
                n: int
                scale: float = 2

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = P(1)  # MARK
                return x * p.scale
            """
        ),
        Example(
            """
            from typing import List, NamedTuple, Optional
            import torch

            class P(NamedTuple):
                n: int
                ids: List[Optional[int]] = [1, 2]

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = P(1)  # MARK
                return x + p.n
            """
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            class Span(NamedTuple):
                start: int
                end: int

            class Token(NamedTuple):
                span: Span
                emb: torch.Tensor

            def fn(x: torch.Tensor) -> torch.Tensor:
                tok = Token((0, 3), x)  # MARK
                return tok.emb
            """
        ),
        Example(
            """
            import collections
            import torch

            Pair = collections.namedtuple("Pair", ["value", "count"])

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = Pair(x, 1)  # MARK
                return p.value
            """
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            P = NamedTuple("P", [("n", int), ("t", torch.Tensor)])

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = P(2.0, x)  # MARK
                return p.t
            """
        ),
    ]
    VALID = [
        Example(
            """
            from typing import List, NamedTuple, Optional
            import torch

            class P(NamedTuple):
                n: int
                t: torch.Tensor
                scale: float = 2.0
                ids: List[int] = [1]
                tag: Optional[str] = None

            def fn(x: torch.Tensor) -> torch.Tensor:
                a = P(1, x)
                b = P(t=x, n=2, scale=3.0)
                c = P(True, x, x.sum(), [1, 2], "a")
                d = P(int(x.sum().item()), x, x.sum().item(), tag=None)
                return a.t + b.t * b.scale + c.t + d.t * a.n
            """
        ),
        Example(
            """
            import collections
            import torch
            from typing import NamedTuple

            Pair = collections.namedtuple("Pair", "value other")
            Q = NamedTuple("Q", [("n", int), ("device", torch.device)])

            def fn(x: torch.Tensor) -> torch.Tensor:
                p = Pair(x, x + 1)
                q = Q(3, "cpu")
                return p.value + p.other + q.n
            """
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if any(a.star for a in node.args):
            return
        nt = namedtuple_named(node.func, ctx)
        if nt is None:
            return
        problem = _problem(nt, node, ctx)
        if problem is None:
            return
        ctx.report(
            node,
            f"`{ctx.code_of(node.func)}(...)`: {problem}; torch.jit.script compiles a NamedTuple's "
            f"construction against its fields' annotations and rejects this (Python does not check them)",
        )

