from typing import Iterator, Optional, Set, Tuple

import libcst as cst

from ..analysis.compiled import never_compiled
from ..analysis.typecheck.inference import annotation_type
from ..analysis.typecheck.spelling import typing_spelling
from ..analysis.syntax import iter_descendants
from .base import Example, Rule

# Type names TorchScript's annotation parser does not know (checked with torch 2.13: "Unknown
# type constructor Sequence", "Unknown type name 'object'", "Unknown type name 'torch.Size'").
_UNKNOWN = {
    "builtins.object": ("object", "use `typing.Any`"),
    "builtins.set": ("set", "use a `List[...]` or a `Dict[T, bool]`"),
    "builtins.frozenset": ("frozenset", "use a `List[...]`"),
    "builtins.type": ("type", "pass a value (a str or an int flag) instead"),
    "torch.Size": ("torch.Size", "use `List[int]`"),
    "numpy.ndarray": ("numpy.ndarray", "use `torch.Tensor`"),
}
_TYPING_UNKNOWN = frozenset(
    "Sequence MutableSequence Iterable Iterator Mapping MutableMapping Set AbstractSet MutableSet FrozenSet "
    "Type Literal Deque DefaultDict Counter ChainMap Collection Container Hashable Sized Reversible Final "
    "ClassVar".split()
)
# typing generics that need parameters ("Attempted to use List without a contained type").
_NEEDS_ARGS = frozenset("List Dict Tuple Optional Union".split())
_ANY = ("typing.Any", "typing_extensions.Any")
_ISINSTANCE = ("builtins.isinstance", "torch.jit.isinstance", "torch.jit._script.isinstance")
_ORDER = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual, cst.Equal, cst.NotEqual,
          cst.In, cst.NotIn)


# Abstract typing containers and the concrete TorchScript type their fix writes.
_CONCRETE = {"Sequence": "List", "MutableSequence": "List", "Iterable": "List", "Mapping": "Dict",
             "MutableMapping": "Dict"}


def _literal_kind(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
        if not isinstance(node, (cst.Integer, cst.Float)):
            return None
    if isinstance(node, cst.Integer):
        return "int"
    if isinstance(node, cst.Float):
        return "float"
    if isinstance(node, cst.SimpleString):
        return "str"
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return "bool"
    return None


def _typing(qual: Optional[str]) -> Optional[str]:
    if qual and qual.startswith(("typing.", "typing_extensions.")):
        return qual.split(".", 1)[1]
    return None


# Leaf identifiers worth resolving (everything else, e.g. `Tensor`, `int`, `Optional[...]` with
# plain arguments, is accepted without a look-up).
_SUSPICIOUS = frozenset({"object", "list", "tuple", "dict", "set", "frozenset", "type", "Size", "ndarray",
                         "Any"}) | _NEEDS_ARGS | _TYPING_UNKNOWN


def _suspicious(node: cst.BaseExpression, depth: int = 0) -> bool:
    """Cheap pre-check: does the annotation mention a name this rule may report (or a string
    annotation, an Ellipsis, or a dotted name from collections.abc)?"""
    if depth > 8:
        return True
    if isinstance(node, cst.Name):
        return node.value in _SUSPICIOUS
    if isinstance(node, cst.Attribute):
        return node.attr.value in _SUSPICIOUS or (isinstance(node.value, cst.Attribute) and node.value.attr.value == "abc")
    if isinstance(node, cst.Subscript):
        if _suspicious(node.value, depth + 1):
            return True
        return any(isinstance(el.slice, cst.Index) and (isinstance(el.slice.value, cst.Ellipsis)
                                                        or _suspicious(el.slice.value, depth + 1))
                   for el in node.slice)
    if isinstance(node, cst.BinaryOperation):
        return _suspicious(node.left, depth + 1) or _suspicious(node.right, depth + 1)
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString))


class UnsupportedAnnotation(Rule):
    """
    ## What it does
    Flags annotations of compiled functions (parameters, return types, annotated locals) that
    TorchScript cannot use: ``object``; variadic tuples ``Tuple[int, ...]``; generics without
    parameters (``List``, ``Dict``, ``Tuple``, ``Optional``, ``Union``, bare ``dict``, and bare
    ``list``/``tuple``, which compile and then misbehave); typing constructs TorchScript does
    not have (``Sequence``, ``Iterable``, ``Mapping``, ``Set``, ``Type``, ``Literal``,
    ``Final`` on a local...), ``torch.Size`` and ``numpy.ndarray``. Also flags parameters
    annotated ``Any`` that the body uses in arithmetic, comparisons, attribute access,
    indexing, iteration or as a condition.

    ## Why is this bad?
    ``torch.jit.script`` rejects unknown types ("Unknown type name 'object'", "Unknown type
    constructor Sequence", "Expression of type dots cannot be used in a type expression",
    "Attempted to use List without a contained type"). A bare ``list``/``tuple`` parameter is
    worse: it compiles, then calls from Python fail ("toIValue() cannot handle converting to
    type: list") and calls from compiled code silently compute wrong results (``len(xs)`` was 1
    for a 2-element list); a bare ``list`` return or local annotation crashes the compiler.
    ``Any`` is an opaque type in TorchScript: it can be passed on, printed or refined with
    ``isinstance``, but ``k * x`` is rejected ("Arguments for call are not valid"). ``Callable``
    (JIT121) and tuple dict keys (JIT131) have their own rules.

    ## Example
    ```python
    def fn(x: torch.Tensor, tag: object, shape: Tuple[int, ...], k: Any) -> torch.Tensor:
        return x.reshape(shape) * k
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor, tag: Any, shape: List[int], k: float) -> torch.Tensor:
        return x.reshape(shape) * k
    ```

    ## Fix safety
    ``object`` -> ``Any`` is a safe fix (adding ``from typing import Any``, merged with the
    file's ``typing`` import, when the file lacks it; not offered when ``Any`` is bound to
    something else): both accept every value and annotations do not change eager behaviour.
    ``Tuple[T, ...]`` -> ``List[T]`` (adding ``List`` the same way) is unsafe: Python callers
    passing tuples still work, but compiled callers passing a tuple and tuple operations in the
    body (``shape + (1,)``) then fail. ``Sequence[T]``/``MutableSequence[T]``/``Iterable[T]`` ->
    ``List[T]`` and ``Mapping[K, V]`` -> ``Dict[K, V]`` are unsafe for the same reason (a tuple,
    a generator or another mapping type no longer converts in compiled callers). A bare
    ``List``/``list`` local initialised with a list of literals of one kind
    (``sizes: List = [1, 3]``) gets that element type (``List[int]``): safe.
    """

    code = "JIT207"
    name = "unsupported-annotation"
    message = "annotation TorchScript cannot use"
    fix_safety = "safe or unsafe (see Fix safety)"
    evidence = ("s038", "s309", "s310", "s311", "s312", "s313")

    INVALID = [
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor, sizes: List[...]) -> torch.Tensor:  # MARK
                return x
            """
        ),
        Example(
            """
            from typing import Any
            import torch

            def fn(x: torch.Tensor, tag: object) -> torch.Tensor:  # MARK
                return x + 1
            """,
        ),
        Example(
            """
            from typing import Tuple
            import torch

            def fn(x: torch.Tensor, shape: Tuple[int, ...]) -> torch.Tensor:  # MARK
                return x.reshape(shape)
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, xs: list) -> torch.Tensor:  # MARK
                return x + len(xs)
            """,
            inputs="[(torch.ones(3), [1, 2])]",
            expect="diverge",
        ),
        Example(
            """
            from typing import Sequence
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor, sizes: Sequence[int]) -> torch.Tensor:  # MARK
                    return x.reshape(sizes)
            """,
            root="M",
        ),
        Example(
            """
            from typing import Any
            import torch

            def fn(x: torch.Tensor, k: Any) -> torch.Tensor:
                return x * k  # MARK
            """,
            inputs="[(torch.ones(3), 2)]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                sizes: List = [1, 3]  # MARK
                return x.reshape(sizes)
            """,
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Any, Dict, List, Optional, Tuple, Union
            import torch

            def fn(x: torch.Tensor, tag: Any, shape: List[int], pair: tuple[int, int], d: dict[str, torch.Tensor],
                   k: Union[int, float], o: Optional[Tuple[int, int]] = None) -> List[Any]:
                print(tag)
                if isinstance(k, int):
                    x = x * k
                y: list[int] = [pair[0], pair[1]]
                return [tag, x.reshape(shape), d["a"], y]
            """,
            inputs="[(torch.ones(3), 't', [3, 1], (1, 2), {'a': torch.ones(1)}, 2)]",
        ),
        Example(
            """
            from typing import Any
            import torch

            def fn(x: torch.Tensor, k: Any) -> torch.Tensor:
                if isinstance(k, float):
                    return x * k
                return x
            """,
            inputs="[(torch.ones(3), 2.0)]",
        ),
    ]

    # -- annotations ----------------------------------------------------------------------------
    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        if never_compiled(ctx):
            return
        any_params = set()
        for p in ctx.function.params:
            if p.annotation is None or p.type == ("self",):
                continue
            self._check(p.annotation.annotation, "param", ctx)
            ann = p.annotation.annotation
            leaf = ann.value if isinstance(ann, cst.Name) else ann.attr.value if isinstance(ann, cst.Attribute) else None
            if leaf == "Any" and p.kind not in ("star", "starstar") and ctx.resolve(ann) in _ANY:
                any_params.add(p.name)
        if fn.returns is not None:
            self._check(fn.returns.annotation, "return", ctx)
        if any_params:
            ctx.scratch[self.code] = {"any": any_params, "skip": None}

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        if not never_compiled(ctx):
            self._check(node.annotation.annotation, "local", ctx, node.value)

    def _check(self, ann: cst.BaseExpression, where: str, ctx, value: Optional[cst.BaseExpression] = None) -> None:
        if not _suspicious(ann):
            return
        for node, what, fix in self._problems(ann, where, ctx, ann, 0):
            if fix is None and node is ann:
                fix = self._concrete_fix(ann, ctx, value)
            ctx.report(node, f"{what} (in {'a parameter' if where == 'param' else 'a return' if where == 'return' else 'a local'} annotation)",
                       fix=fix)
            return

    def _problems(self, node: cst.BaseExpression, where: str, ctx, report_at, depth: int) -> Iterator[Tuple]:
        if depth > 8:
            return
        at = report_at if isinstance(report_at, (cst.SimpleString, cst.ConcatenatedString)) else node
        if isinstance(node, cst.SimpleString):
            try:
                text = node.evaluated_value
                parsed = cst.parse_expression(text) if isinstance(text, str) else None
            except Exception:  # noqa: BLE001 - not an expression
                return
            if parsed is not None:
                yield from self._problems(parsed, where, ctx, node, depth + 1)
            return
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            yield from self._problems(node.left, where, ctx, report_at, depth + 1)
            yield from self._problems(node.right, where, ctx, report_at, depth + 1)
            return
        if isinstance(node, cst.Subscript):
            qual = ctx.resolve(node.value)
            problem = self._unknown(qual, where)
            if problem is not None:
                yield at, problem, None
                return
            args = [el.slice.value for el in node.slice if isinstance(el.slice, cst.Index)]
            if qual in ("typing.Tuple", "builtins.tuple") and any(isinstance(a, cst.Ellipsis) for a in args):
                what, fix = self._variadic(node, args, ctx, at)
                yield at, what, fix
                return
            if any(isinstance(a, cst.Ellipsis) for a in args) and qual not in ("typing.Callable",
                                                                                "collections.abc.Callable"):
                yield at, (f"`...` in `{ctx.code_of(node)}` is not a type: torch.jit.script rejects it "
                           f"(\"Expression of type dots cannot be used in a type expression\")"), None
                return
            for arg in args:
                yield from self._problems(arg, where, ctx, report_at, depth + 1)
            return
        if isinstance(node, (cst.Name, cst.Attribute)):
            qual = ctx.resolve(node)
            problem = self._unknown(qual, where)
            if problem is not None:
                fix = None
                if qual == "builtins.object" and at is node:
                    imports: list = []
                    any_name = typing_spelling(ctx, "Any", imports)
                    if any_name is not None:
                        fix = ctx.safe_fix(f"Use `{any_name}`", [(node, any_name)], imports=imports)
                yield at, problem, fix
                return
            bare = _typing(qual)
            if bare in _NEEDS_ARGS:
                yield at, (f"`{bare}` without type parameters is rejected by torch.jit.script (\"Attempted to use "
                           f"{bare} without a contained type\"): write e.g. `{bare}[int]`"), None
                return
            if qual == "builtins.dict":
                yield at, "bare `dict` is rejected by torch.jit.script (\"Unknown type name 'dict'\"): write `Dict[str, T]`", None
                return
            if qual == "builtins.list" and where in ("param", "return", "local"):
                effect = ("compiles, then calls from Python fail (\"cannot handle converting to type: list\") and "
                          "calls from compiled code compute wrong results") if where == "param" else \
                    "crashes the TorchScript compiler (segmentation fault)"
                yield at, f"bare `list` has no element type: torch.jit.script {effect}; write `List[int]` (or the element type)", None
                return
            if qual == "builtins.tuple" and where in ("param", "local"):
                effect = ("compiles, then calls from Python fail (\"cannot handle converting to type: tuple\")"
                          if where == "param" else "is rejected (\"'tuple' object is not subscriptable\")")
                yield at, f"bare `tuple` has no element types: torch.jit.script {effect}; write `Tuple[int, int]`", None
        return

    @staticmethod
    def _unknown(qual: Optional[str], where: str) -> Optional[str]:
        if qual is None:
            return None
        if qual in _UNKNOWN:
            shown, hint = _UNKNOWN[qual]
            return f"`{shown}` is not a type torch.jit.script knows (\"Unknown type name '{shown}'\"): {hint}"
        name = _typing(qual)
        if qual.endswith(".Callable"):
            return None  # JIT121's
        if name in _TYPING_UNKNOWN or qual.startswith("collections.abc."):
            shown = name or qual
            hint = {"Sequence": "`List[...]`", "MutableSequence": "`List[...]`", "Iterable": "`List[...]`",
                    "Iterator": "`List[...]`", "Mapping": "`Dict[...]`", "MutableMapping": "`Dict[...]`",
                    "Final": "a plain annotation (`Final` works on class attributes only)"}.get(name or "", "a concrete type")
            return f"`{shown}` is not supported by torch.jit.script (\"Unknown type constructor {shown}\"): use {hint}"
        return None

    def _concrete_fix(self, ann: cst.BaseExpression, ctx, value: Optional[cst.BaseExpression]):
        """``Sequence[T]``/``Iterable[T]`` -> ``List[T]``, ``Mapping[K, V]`` -> ``Dict[K, V]``
        (unsafe), and a bare ``List``/``list`` local whose value is a list display of literals of
        one kind -> ``List[int]``/``List[float]``/``List[str]``/``List[bool]`` (safe)."""
        imports: list = []
        if isinstance(ann, cst.Subscript):
            name = _typing(ctx.resolve(ann.value)) or (ctx.resolve(ann.value) or "").replace("collections.abc.", "")
            target = _CONCRETE.get(name)
            args = [el.slice.value for el in ann.slice if isinstance(el.slice, cst.Index)]
            if target is None or len(args) != (2 if target == "Dict" else 1) or len(args) != len(ann.slice):
                return None
            spelled = typing_spelling(ctx, target, imports)
            if spelled is None:
                return None
            text = f"{spelled}[{', '.join(ctx.code_of(a) for a in args)}]"
            return ctx.unsafe_fix(f"Use `{text}`", [(ann, text)], imports=imports)
        qual = ctx.resolve(ann)
        if qual not in ("typing.List", "builtins.list") or not isinstance(value, cst.List) or not value.elements:
            return None
        kinds = {_literal_kind(el.value) if not isinstance(el, cst.StarredElement) else None for el in value.elements}
        if len(kinds) != 1 or None in kinds:
            return None
        spelled = typing_spelling(ctx, "List", imports)
        if spelled is None:
            return None
        text = f"{spelled}[{kinds.pop()}]"
        return ctx.safe_fix(f"Use `{text}`", [(ann, text)], imports=imports)

    def _variadic(self, node: cst.Subscript, args, ctx, at) -> Tuple[str, object]:
        elem = args[0] if args and not isinstance(args[0], cst.Ellipsis) else None
        text = ctx.code_of(elem) if elem is not None else "T"
        fix = None
        imports: list = []
        list_name = typing_spelling(ctx, "List", imports) or "list"
        if elem is not None and at is node and len(args) == 2:
            fix = ctx.unsafe_fix(f"Use `{list_name}[{text}]`", [(node, f"{list_name}[{text}]")], imports=imports)
        return (f"variadic `{ctx.code_of(node.value)}[{text}, ...]` is rejected by torch.jit.script (\"Expression of "
                f"type dots cannot be used in a type expression\"): use `List[{text}]` or a fixed-length tuple"), fix

    # -- Any parameters used as values ------------------------------------------------------------
    def _any(self, node: cst.BaseExpression, ctx) -> bool:
        state = ctx.scratch.get(self.code)
        if state is None or not isinstance(node, cst.Name) or node.value not in state["any"]:
            return False
        if state["skip"] is None:
            state["skip"] = self._refined_or_rebound(ctx, state["any"])
        return node.value not in state["skip"]

    @staticmethod
    def _refined_or_rebound(ctx, names: Set[str]) -> Set[str]:
        """``Any`` parameters refined with isinstance somewhere, or re-bound: not judged."""
        out = set()
        for node in iter_descendants(ctx.function.node.body):
            if isinstance(node, cst.Call) and node.args and isinstance(node.args[0].value, cst.Name):
                if node.args[0].value.value in names and ctx.resolve(node.func) in _ISINSTANCE:
                    out.add(node.args[0].value.value)
            elif isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr)):
                targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
                for t in targets:
                    for n in (t, *iter_descendants(t)):
                        if isinstance(n, cst.Name) and n.value in names:
                            out.add(n.value)
        return out

    def _report_any(self, name: cst.Name, use: str, ctx) -> None:
        state = ctx.scratch[self.code]
        state["skip"].add(name.value)  # once per parameter
        ctx.report(name, f"`{name.value}` is annotated `Any`, an opaque type in TorchScript: it can be passed on, "
                         f"printed or refined with `isinstance`, but not used {use} (torch.jit.script rejects it); "
                         "annotate the concrete type (or `Union[...]` refined with `isinstance`)")

    def visit_BinaryOperation(self, node: cst.BinaryOperation, ctx) -> None:
        if self.code not in ctx.scratch:
            return
        for side in (node.left, node.right):
            if self._any(side, ctx):
                self._report_any(side, "in arithmetic", ctx)
                return

    def visit_UnaryOperation(self, node: cst.UnaryOperation, ctx) -> None:
        if self.code in ctx.scratch and self._any(node.expression, ctx):
            self._report_any(node.expression, "as a condition" if isinstance(node.operator, cst.Not) else "in arithmetic", ctx)

    def visit_Attribute(self, node: cst.Attribute, ctx) -> None:
        if self.code in ctx.scratch and self._any(node.value, ctx):
            self._report_any(node.value, f"to access `.{node.attr.value}`", ctx)

    def visit_Subscript(self, node: cst.Subscript, ctx) -> None:
        if self.code in ctx.scratch and self._any(node.value, ctx):
            self._report_any(node.value, "as a container (indexing)", ctx)

    def visit_Comparison(self, node: cst.Comparison, ctx) -> None:
        if self.code not in ctx.scratch or len(node.comparisons) != 1:
            return
        if not isinstance(node.comparisons[0].operator, _ORDER):
            return
        for side in (node.left, node.comparisons[0].comparator):
            if self._any(side, ctx):
                self._report_any(side, "in a comparison", ctx)
                return

    def _condition(self, test: cst.BaseExpression, ctx) -> None:
        if self.code in ctx.scratch and self._any(test, ctx):
            self._report_any(test, "as a condition", ctx)

    def visit_If(self, node: cst.If, ctx) -> None:
        self._condition(node.test, ctx)

    def visit_While(self, node: cst.While, ctx) -> None:
        self._condition(node.test, ctx)

    def visit_IfExp(self, node: cst.IfExp, ctx) -> None:
        self._condition(node.test, ctx)

    def visit_For(self, node: cst.For, ctx) -> None:
        if self.code in ctx.scratch and self._any(node.iter, ctx):
            self._report_any(node.iter, "as the iterable of a `for` loop", ctx)

    def visit_Return(self, node: cst.Return, ctx) -> None:
        if self.code not in ctx.scratch or node.value is None or not self._any(node.value, ctx):
            return
        ret = ctx.function.return_annotation
        if ret is not None and annotation_type(ret, ctx.names) is not None:
            self._report_any(node.value, "as the return value of a function with a concrete return type", ctx)
