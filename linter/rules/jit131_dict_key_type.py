from typing import Iterator, Optional, Tuple

import libcst as cst

from ..analysis.typecheck.inference import annotation_type
from ..analysis.typecheck.lattice import NONE, SIZE, describe, kind
from .base import Example, Rule

_DICTS = frozenset({"typing.Dict", "builtins.dict", "typing.OrderedDict", "collections.OrderedDict",
                    "typing.DefaultDict", "collections.defaultdict"})
_DICT_LEAVES = frozenset(d.rsplit(".", 1)[1] for d in _DICTS)
_UNIONS = frozenset({"typing.Union"})
# Key kinds TorchScript refuses ("only int, float, complex, Tensor, device and string keys").
_BAD_KINDS = frozenset({"tuple", "list", SIZE, "dict", "optional", NONE})


def _parse_string(node: cst.SimpleString) -> Optional[cst.BaseExpression]:
    try:
        text = node.evaluated_value
        return cst.parse_expression(text) if isinstance(text, str) else None
    except Exception:  # noqa: BLE001 - not an expression
        return None


def _bad_keys(ann: cst.BaseExpression, ctx, depth: int = 0) -> Iterator[Tuple[cst.BaseExpression, str]]:
    """(key annotation, description) of every dict type with an unsupported key in ``ann``."""
    if depth > 10:
        return
    if isinstance(ann, cst.SimpleString):
        if "ict" not in ann.value:
            return
        parsed = _parse_string(ann)
        if parsed is not None:
            for _, what in _bad_keys(parsed, ctx, depth + 1):
                yield ann, what
        return
    if isinstance(ann, cst.BinaryOperation):
        yield from _bad_keys(ann.left, ctx, depth + 1)
        yield from _bad_keys(ann.right, ctx, depth + 1)
        return
    if not isinstance(ann, cst.Subscript):
        return
    args = [el.slice.value for el in ann.slice if isinstance(el.slice, cst.Index)]
    base = ann.value
    leaf = base.value if isinstance(base, cst.Name) else base.attr.value if isinstance(base, cst.Attribute) else ""
    if leaf in _DICT_LEAVES and len(args) == 2 and ctx.resolve(base) in _DICTS:
        what = _bad_key(args[0], ctx)
        if what is not None:
            yield args[0], what
    for arg in args:
        yield from _bad_keys(arg, ctx, depth + 1)


def _bad_key(key: cst.BaseExpression, ctx) -> Optional[str]:
    if isinstance(key, cst.SimpleString):
        key = _parse_string(key) or key
    if isinstance(key, cst.Subscript) and ctx.resolve(key.value) in _UNIONS:
        members = [el.slice.value for el in key.slice if isinstance(el.slice, cst.Index)]
        if len(members) > 1:
            return "a Union"
    t = annotation_type(key, ctx.names)
    if kind(t) in _BAD_KINDS:
        return f"`{describe(t)}`"
    return None


class DictKeyType(Rule):
    """
    ## What it does
    Flags dict types whose key type TorchScript cannot use, in compiled signatures, local
    annotations, ``torch.jit.annotate`` and dict displays/comprehensions: tuple keys
    (``Dict[Tuple[int, int], Tensor]``, ``{(0, 1): x}``), ``Optional``/``Union`` keys, list keys
    and ``None`` keys.

    ## Why is this bad?
    ``torch.jit.script`` fails with "Cannot create dict for key type '(int, int)', only int,
    float, complex, Tensor, device and string keys are supported", and this error carries **no
    source location**, so it is hard to trace back. ``bool`` keys and dtypes (ints in
    TorchScript) work too.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        d = {(0, 1): x}
        return d[(0, 1)]
    ```

    ## Use instead
    Encode the key as a string or a single int:
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        d = {"0,1": x}
        return d["0,1"]
    ```

    ## Fix safety
    No automatic fix: the encoding must be chosen (and be injective).
    """

    code = "JIT131"
    name = "dict-key-type"
    message = "this dict key type is not supported by torch.jit.script"
    evidence = ("s237",)

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                d = {(0, 1): x}  # MARK
                return d[(0, 1)]
            """,
        ),
        Example(
            """
            from typing import Dict, Tuple
            import torch

            def fn(x: torch.Tensor, cache: Dict[Tuple[int, int], torch.Tensor]) -> torch.Tensor:  # MARK
                return x
            """,
            inputs="[(torch.ones(3), {})]",
        ),
        Example(
            """
            from typing import Dict, List, Optional
            import torch

            def fn(x: torch.Tensor) -> int:
                d: Dict[Optional[int], List[int]] = {}  # MARK
                return len(d)
            """,
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(xs: List[int]) -> int:
                d = {(a, a + 1): a for a in xs}  # MARK
                return len(d)
            """,
            inputs="[([1, 2],)]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Dict
            import torch

            def fn(x: torch.Tensor, flags: Dict[bool, int]) -> torch.Tensor:
                d: Dict[str, torch.Tensor] = {"0,1": x}
                e: Dict[int, float] = {0 * 1000 + 1: 2.0}
                f = {torch.float32: 1}
                return d["0,1"] * e[1] + len(flags) + len(f)
            """,
            inputs="[(torch.ones(3), {True: 1})]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    d = {(0, 1): x}
                    print(len(d))
                return x
            """,
        ),
    ]

    def _check_annotation(self, ann: Optional[cst.Annotation], ctx) -> None:
        if ann is None:
            return
        for node, what in _bad_keys(ann.annotation, ctx):
            ctx.report(node, f"dict key type {what} is not supported by torch.jit.script (keys must be int, float, "
                             "complex, str, Tensor or device; the compiler's error has no source location)")

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        for p in ctx.function.params:
            self._check_annotation(p.annotation, ctx)
        self._check_annotation(fn.returns, ctx)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        self._check_annotation(node.annotation, ctx)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if node.args and isinstance(node.func, cst.Attribute) and node.func.attr.value == "annotate" \
                and ctx.resolve(node.func) == "torch.jit.annotate":
            self._check_annotation(cst.Annotation(node.args[0].value), ctx)

    def _check_key(self, node, key: cst.BaseExpression, ctx) -> bool:
        t = ctx.type_of(key)
        if kind(t) in _BAD_KINDS:
            ctx.report(node, f"dict key of type `{describe(t)}` is not supported by torch.jit.script (keys must be "
                             "int, float, complex, str, Tensor or device; the compiler's error has no source location)")
            return True
        return False

    def visit_Dict(self, node: cst.Dict, ctx) -> None:
        for el in node.elements:
            if isinstance(el, cst.DictElement) and self._check_key(node, el.key, ctx):
                return

    def visit_DictComp(self, node: cst.DictComp, ctx) -> None:
        self._check_key(node, node.key, ctx)
