from typing import Optional

import libcst as cst

from ..analysis.names import dotted_name
from ..analysis.typecheck.certain import NamedTupleDef, namedtuple_named
from .base import Example, Rule

# Field annotations torch.jit.script's annotation parser does not know, anywhere in the
# annotation ("Unknown type annotation: '<class 'set'>'", "... 'typing.List[set]'").
_UNKNOWN = {
    "builtins.set": "set", "builtins.frozenset": "frozenset", "builtins.bytes": "bytes",
    "builtins.bytearray": "bytearray", "builtins.object": "object", "builtins.list": "list",
    "typing.Set": "typing.Set", "typing.FrozenSet": "typing.FrozenSet", "typing.Callable": "typing.Callable",
    "collections.abc.Callable": "Callable", "torch.nn.Module": "torch.nn.Module",
    "torch.nn.modules.module.Module": "torch.nn.Module",
}
_ANY = frozenset({"typing.Any", "typing_extensions.Any"})
# typing generics without parameters, as a whole field annotation
_BARE = {"typing.List": "List", "typing.Dict": "Dict", "typing.Tuple": "Tuple"}
_TUPLES = frozenset({"typing.Tuple", "builtins.tuple"})
_DICTS = frozenset({"typing.Dict", "builtins.dict"})
# key annotations a TorchScript Dict cannot have ("Cannot create dict for key type")
_BAD_KEYS = frozenset({"typing.Tuple", "builtins.tuple", "typing.List", "builtins.list", "typing.Optional"})
_TENSOR_FACTORIES = frozenset(
    "zeros ones empty full rand randn randint arange linspace eye tensor as_tensor zeros_like ones_like "
    "empty_like full_like rand_like randn_like".split())


def _resolve(node: cst.BaseExpression, ctx) -> Optional[str]:
    name = dotted_name(node)
    return ctx.names.resolve(name) if name is not None else None


def _annotation_problem(node: cst.BaseExpression, ctx, top: bool) -> Optional[str]:
    """Why TorchScript cannot make a NamedTuple field of this annotation, or None (unsure/fine)."""
    if isinstance(node, cst.Subscript):
        base = _resolve(node.value, ctx)
        args = []
        for el in node.slice:
            if not isinstance(el.slice, cst.Index):
                return None
            args.append(el.slice.value)
        if base in _UNKNOWN and base != "builtins.list":  # list[int] is List[int]; a bare list is unknown
            return f"`{ctx.code_of(node)}` is an unknown type annotation"
        if base in _TUPLES and any(isinstance(a, cst.Ellipsis) for a in args):
            return f"`{ctx.code_of(node)}` has an ellipsis (\"Can not create tuple with None type\")"
        if base in _DICTS and len(args) == 2 and isinstance(args[0], cst.Subscript) and _resolve(
                args[0].value, ctx) in _BAD_KEYS:
            return (f"`{ctx.code_of(args[0])}` cannot be a Dict key (only int, float, complex, Tensor, device "
                    f"and str keys)")
        for a in args:
            if isinstance(a, (cst.List, cst.Ellipsis)):
                continue
            found = _annotation_problem(a, ctx, top=False)
            if found is not None:
                return found
        return None
    if isinstance(node, (cst.Name, cst.Attribute)):
        qual = _resolve(node, ctx)
        if qual in _ANY:
            return "it contains `Any` (\"Any types cannot be members of modules, classes, or named tuples\")"
        if qual in _UNKNOWN:
            return f"`{_UNKNOWN[qual]}` is an unknown type annotation"
        if top and qual in _BARE:
            return f"`{_BARE[qual]}` has no contained type"
    return None


def _field_problem(nt: NamedTupleDef, ctx) -> Optional[str]:
    for f in nt.fields:
        if f.annotation is not None:
            why = _annotation_problem(f.annotation, ctx, top=True)
            if why is not None:
                return f"field `{f.name}`: {why}"
        if isinstance(f.default, cst.Call):
            qual = _resolve(f.default.func, ctx)
            if qual is not None and qual.startswith("torch.") and qual[6:] in _TENSOR_FACTORIES:
                return f"field `{f.name}` has a Tensor default (\"Tensors are not supported as default NamedTuple fields\")"
    return None


class NamedtupleFieldType(Rule):
    """
    ## What it does
    Flags compiled code that uses (constructs, or takes or returns through an annotation) a
    NamedTuple defined in the same file one of whose fields TorchScript cannot hold: a type its
    annotation parser does not know (``set``, ``Set[int]``, ``bytes``, ``object``, bare ``list``,
    ``Callable[...]``, ``torch.nn.Module``, also nested as in ``List[set]``), ``Any`` anywhere in the
    annotation, a bare ``List``/``Dict``/``Tuple``, ``Tuple[int, ...]``, a ``Dict`` keyed by a tuple,
    list or Optional, or a field with a Tensor default (``= torch.zeros(1)``).

    ## Why is this bad?
    Python accepts any annotation on a NamedTuple field; ``torch.jit.script`` turns the class into
    a TorchScript tuple type the first time compiled code meets it and fails the whole compile
    there: "Unknown type annotation: '<class 'set'>'", "attempting to add attribute 'f' of type
    List[Any] ... Any types cannot be members of modules, classes, or named tuples", "Can not
    create tuple with None type", "Cannot create dict for key type '(int, int)'", "Tensors are not
    supported as default NamedTuple fields". ``List[int]``, ``Dict[str, Tensor]``, ``Dict[Tensor,
    int]``, ``Tuple[int, float]``, ``Optional[Tensor] = None`` and ``torch.device`` fields compile.

    ## Example
    ```python
    class Batch(NamedTuple):
        x: torch.Tensor
        ids: Set[int]

    def fn(b: Batch) -> torch.Tensor:
        return b.x
    ```

    ## Use instead
    ```python
    class Batch(NamedTuple):
        x: torch.Tensor
        ids: List[int]
    ```

    ## Fix safety
    No fix: the replacement type changes what the field holds.
    """

    code = "JIT166"
    name = "namedtuple-field-type"
    message = "this NamedTuple has a field TorchScript cannot hold"

    INVALID = [
        Example(
            """
            from typing import NamedTuple, Set
            import torch

            class Batch(NamedTuple):
                x: torch.Tensor
                ids: Set[int]

            def fn(b: Batch) -> torch.Tensor:  # MARK
                return b.x
            """,
        ),
        Example(
            """
            from typing import Any, List, NamedTuple
            import torch

            class Out(NamedTuple):
                y: torch.Tensor
                extras: List[Any]

            def fn(x: torch.Tensor) -> torch.Tensor:
                o = Out(x, [])  # MARK
                return o.y
            """,
        ),
        Example(
            """
            from typing import NamedTuple, Tuple
            import torch

            class Out(NamedTuple):
                y: torch.Tensor
                shape: Tuple[int, ...]

            def fn(x: torch.Tensor) -> torch.Tensor:
                o = Out(x, (1, 2))  # MARK
                return o.y
            """,
        ),
        Example(
            """
            from typing import Dict, NamedTuple, Tuple
            import torch

            class Cache(NamedTuple):
                table: Dict[Tuple[int, int], torch.Tensor]

            def fn(x: torch.Tensor, c: Cache) -> torch.Tensor:  # MARK
                return x
            """,
        ),
        Example(
            """
            from typing import NamedTuple
            import torch

            class State(NamedTuple):
                n: int
                h: torch.Tensor = torch.zeros(1)

            def fn(x: torch.Tensor) -> torch.Tensor:
                s = State(1, x)  # MARK
                return s.h
            """,
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Dict, List, NamedTuple, Optional, Tuple
            import torch

            class State(NamedTuple):
                n: int
                ids: List[int]
                table: Dict[str, torch.Tensor]
                by_tensor: Dict[torch.Tensor, int]
                pair: Tuple[int, float]
                device: torch.device
                names: list[str]
                nested: list[list[int]]
                h: Optional[torch.Tensor] = None

            def fn(x: torch.Tensor) -> torch.Tensor:
                s = State(1, [1], {"a": x}, {x: 1}, (1, 2.0), x.device, ["a"], [[1]])
                return x + s.n
            """,
        ),
    ]

    def function_start(self, fn_node: cst.FunctionDef, ctx) -> None:
        annotations = [p.annotation for p in ctx.function.params if p.annotation is not None] if ctx.function else []
        if fn_node.returns is not None:
            annotations.append(fn_node.returns)
        for ann in annotations:
            for node in (ann.annotation, *_names_in(ann.annotation)):
                nt = namedtuple_named(node, ctx) if isinstance(node, cst.Name) else None
                if nt is not None:
                    self._check(nt, node, ctx, anchor=fn_node)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        nt = namedtuple_named(node.func, ctx)
        if nt is not None:
            self._check(nt, node.func, ctx, anchor=node)

    def _check(self, nt: NamedTupleDef, use: cst.CSTNode, ctx, anchor: cst.CSTNode) -> None:
        seen = ctx.scratch.setdefault(self.code, set())
        if nt.name in seen:
            return
        seen.add(nt.name)
        problem = _field_problem(nt, ctx)
        if problem is None:
            return
        ctx.report(anchor, f"the NamedTuple `{nt.name}` used here has {problem}: torch.jit.script rejects the "
                           f"compile wherever compiled code meets `{nt.name}`")


def _names_in(node: cst.BaseExpression):
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Subscript):
            for el in n.slice:
                if isinstance(el.slice, cst.Index):
                    stack.append(el.slice.value)
                    yield el.slice.value
        elif isinstance(n, cst.BinaryOperation):
            stack.extend((n.left, n.right))
            yield n.left
            yield n.right
