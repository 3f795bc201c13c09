from typing import Optional

import libcst as cst

from ..analysis.types import SIZE, STR, TENSOR, describe, kind
from .base import Example, Rule

# Kinds of values TorchScript refuses to unpack with ``*`` (only tuples have a static length).
_NOT_UNPACKABLE = frozenset({"list", SIZE, TENSOR, STR, "dict", "range"})


def _constant_attr(node: cst.BaseExpression, ctx) -> bool:
    """``self.x`` where ``x`` is a module constant (``__constants__``/``Final``): lists become tuples."""
    if not (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self"):
        return False
    cls = ctx.function.class_node if ctx.function is not None else None
    if cls is None:
        return False
    attr = node.attr.value
    for stmt in cls.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == attr:
                ann = small.annotation.annotation
                base = ann.value if isinstance(ann, cst.Subscript) else ann
                if (ctx.resolve(base) or "").endswith("Final"):
                    return True
            elif isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == "__constants__" for t in small.targets):
                if isinstance(small.value, (cst.List, cst.Tuple, cst.Set)) and any(
                        isinstance(e.value, cst.SimpleString) and e.value.evaluated_value == attr
                        for e in small.value.elements):
                    return True
    return False


def _value_type(node: cst.BaseExpression, ctx):
    """The type of a starred value as TorchScript sees it: a module attribute holding a
    ``torch.Size`` is a tuple once scripted (attribute types come from the instance's values)."""
    t = ctx.type_of(node)
    if t == SIZE and isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) \
            and node.value.value == "self":
        return ("tuple", None)
    return t


def _unpack_problem(t) -> Optional[str]:
    """A description of ``t`` when TorchScript cannot star-unpack it, else None."""
    k = kind(t)
    if k not in _NOT_UNPACKABLE:
        return None
    if k == "range":
        return "a range"
    return f"a `{describe(t)}`" if k != "list" or t[1] is not None else "a list"


class StarUnpacking(Rule):
    """
    ## What it does
    Flags ``*`` unpacking of a value whose length TorchScript cannot know statically: a list
    (including ``x.shape``/``x.size()``, which are ``List[int]`` in TorchScript), a Tensor, a
    string, a dict or a range, in a call (``f(*lst)``, ``x.view(*x.shape[:-1], -1)``), in a
    list or tuple display (``(*lst, 1)``) or as a starred assignment target
    (``a, *rest = lst``).

    ## Why is this bad?
    ``torch.jit.script`` only unpacks tuples, whose length is part of their type; for a list it
    fails with "cannot statically infer the expected size of a list in this context", for a
    Tensor with "Tensor cannot be used as a tuple". ``f(*tup)`` and ``a, *rest = tup`` with a
    tuple are supported and not flagged, and so are module constants (``Final`` or
    ``__constants__`` attributes) and module attributes holding a ``torch.Size``, which
    TorchScript stores as tuples; values of unknown type are not flagged either.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        lst = [x, x]
        return add(*lst)

    def first(xs: List[int]) -> int:
        a, *rest = xs
        return a + len(rest)
    ```

    ## Use instead
    Index explicitly, slice, or pass the list itself to APIs that take one:
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        lst = [x, x]
        return add(lst[0], lst[1])

    def first(xs: List[int]) -> int:
        a = xs[0]
        rest = xs[1:]
        return a + len(rest)
    ```
    ``x.view(*x.shape[:-1], -1)`` becomes ``x.view(list(x.shape[:-1]) + [-1])``.

    ## Fix safety
    No automatic fix: the right replacement depends on the callee's signature.
    """

    code = "JIT118"
    name = "star-unpacking"
    message = "`*` unpacking of a non-tuple value is not supported by torch.jit.script"
    evidence = ("s104", "s218", "s103")

    INVALID = [
        Example(
            """
            import torch

            def add(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
                return a + b

            def fn(x: torch.Tensor) -> torch.Tensor:
                lst = [x, x]
                return add(*lst)  # MARK
            """,
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(xs: List[int]) -> int:
                a, *rest = xs  # MARK
                return a + len(rest)
            """,
            inputs="[([1, 2, 3],)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x.view(*x.shape[:-1], -1)  # MARK
            """,
            inputs="[(torch.ones(2, 3),)]",
        ),
        Example(
            """
            from typing import List, Tuple
            import torch

            def fn(xs: List[int]) -> Tuple[int, int, int]:
                return (*xs, 1)  # MARK
            """,
            inputs="[([1, 2],)]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import List, Tuple
            import torch

            def add(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
                return a + b

            def fn(x: torch.Tensor) -> torch.Tensor:
                t = (x, x)
                first, *rest = t
                return add(*t) + rest[0]
            """,
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor, xs: List[int]) -> torch.Tensor:
                a = xs[0]
                rest = xs[1:]
                return x.view(list(x.shape[:-1]) + [-1]) * (a + len(rest))
            """,
            inputs="[(torch.ones(2, 3), [1, 2, 3])]",
        ),
        Example(
            """
            from typing import Final, List
            import torch

            class M(torch.nn.Module):
                dims: Final[List[int]]

                def __init__(self):
                    super().__init__()
                    self.dims = [1, 0]
                    self.out_shape = torch.Size([6])

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x.permute(*self.dims).reshape(*self.out_shape)
            """,
            root="M",
            inputs="[(torch.ones(2, 3),)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        for arg in node.args:
            if arg.star != "*":
                continue
            what = _unpack_problem(_value_type(arg.value, ctx))
            if what is not None and not _constant_attr(arg.value, ctx):
                ctx.report(arg, f"`*` unpacking of {what} in a call is not supported by torch.jit.script "
                                "(only tuples have a static length): pass elements explicitly or a tuple")

    def visit_StarredElement(self, node: cst.StarredElement, ctx) -> None:
        parents = ctx.parents
        i = len(parents) - 1
        # The Tuple/List display the starred element belongs to (parents: ..., container[, Element]).
        while i >= 0 and isinstance(parents[i], cst.Element):
            i -= 1
        if i < 0 or not isinstance(parents[i], (cst.Tuple, cst.List)):
            return
        container = parents[i]
        owner = parents[i - 1] if i > 0 else None
        source = _target_source(container, owner, ctx)
        if isinstance(owner, cst.Assign) and _constant_attr(owner.value, ctx):
            return
        if source is _NOT_A_TARGET:
            what = _unpack_problem(_value_type(node.value, ctx))
            if what is not None and not _constant_attr(node.value, ctx):
                ctx.report(node, f"`*` unpacking of {what} in a "
                                 f"{'tuple' if isinstance(container, cst.Tuple) else 'list'} display is not "
                                 "supported by torch.jit.script (only tuples have a static length)")
            return
        what = _unpack_problem(source)
        if what is not None:
            ctx.report(container, f"starred assignment from {what} is not supported by torch.jit.script "
                                  "(only tuples have a static length): index and slice instead "
                                  "(`a = xs[0]; rest = xs[1:]`)")


_NOT_A_TARGET = object()


def _target_source(container: cst.CSTNode, owner: Optional[cst.CSTNode], ctx):
    """The type assigned to ``container`` when it is an assignment or loop target."""
    if isinstance(owner, cst.Assign):
        for target in owner.targets:
            if target.target is container:
                return _value_type(owner.value, ctx)
        return _NOT_A_TARGET
    if isinstance(owner, cst.For):
        if owner.target is container:
            return _element(ctx.type_of(owner.iter))
        return _NOT_A_TARGET
    if isinstance(owner, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        comp = owner.for_in
        while comp is not None:
            if comp.target is container:
                return _element(ctx.type_of(comp.iter))
            comp = comp.inner_for_in
    return _NOT_A_TARGET


def _element(t):
    """Element type of iterating over ``t`` when it is a list (else unknown)."""
    if kind(t) == "list":
        return t[1]
    return None
