from typing import Optional

import libcst as cst

from ..analysis.statement_edits import statement_replacement
from ..analysis.typecheck.lattice import INT, SINT, SIZE, STR, TENSOR, describe, kind
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
    Three forms have a fix:

    - a Tensor method taking a size list, called with a starred list of ints among int
      arguments (``x.view(*x.shape[:-1], -1)``, also ``reshape``, ``expand``, ``permute``,
      ``repeat``, ``new_zeros``/``new_ones``/``new_empty``), gets the sizes as one list
      (``x.view(list(x.shape[:-1]) + [-1])``): safe, these methods take the sizes either way;
    - ``f(*lst)`` where ``lst`` is a local bound once to a list or tuple display and used
      nowhere else becomes ``f(lst[0], lst[1])``: safe, the same elements are passed;
    - ``a, *rest = xs`` (a list named by a plain name) becomes ``a = xs[0]`` and
      ``rest = xs[1:]`` (``*init, last = xs``: ``init = xs[:-1]``, ``last = xs[-1]``): unsafe,
      a list too short for the targets raised ``ValueError`` and now raises ``IndexError``; a
      long enough list gives the same values.
    """

    code = "JIT118"
    name = "star-unpacking"
    fix_safety = "safe or unsafe (see Fix safety)"
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
                fix = _size_list_fix(node, ctx) or _local_display_fix(node, arg, ctx)
                ctx.report(arg, f"`*` unpacking of {what} in a call is not supported by torch.jit.script "
                                "(only tuples have a static length): pass elements explicitly or a tuple", fix=fix)

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
            fix = _starred_assignment_fix(container, owner, ctx) if kind(source) == "list" else None
            ctx.report(container, f"starred assignment from {what} is not supported by torch.jit.script "
                                  "(only tuples have a static length): index and slice instead "
                                  "(`a = xs[0]; rest = xs[1:]`)", fix=fix)


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


_SIZE_METHODS = frozenset({"view", "reshape", "expand", "permute", "repeat", "new_zeros", "new_ones", "new_empty"})


def _int_list(t) -> bool:
    return t == SIZE or (kind(t) == "list" and t[1] == INT)


def _size_list_fix(call: cst.Call, ctx):
    """``x.view(*sizes, -1)`` -> ``x.view(list(sizes) + [-1])``."""
    func = call.func
    if not (isinstance(func, cst.Attribute) and func.attr.value in _SIZE_METHODS
            and ctx.type_of(func.value) == TENSOR):
        return None
    parts, plain = [], []
    for arg in call.args:
        if arg.keyword is not None or arg.star == "**":
            return None
        if arg.star == "*":
            if not _int_list(ctx.type_of(arg.value)):
                return None
            if plain:
                parts.append("[" + ", ".join(plain) + "]")
                plain = []
            parts.append(f"list({ctx.code_of(arg.value)})")
        else:
            if ctx.type_of(arg.value) not in (INT, SINT):
                return None
            plain.append(ctx.code_of(arg.value))
    if plain:
        parts.append("[" + ", ".join(plain) + "]")
    text = f"{ctx.code_of(func)}({' + '.join(parts)})"
    return ctx.safe_fix("Pass the sizes as one list", [(call, text)])


def _names_in(node: cst.CSTNode, name: str):
    from ..analysis.syntax import iter_descendants

    return [n for n in (node, *iter_descendants(node)) if isinstance(n, cst.Name) and n.value == name]


def _local_display_fix(call: cst.Call, arg: cst.Arg, ctx):
    """``f(*lst)`` with ``lst = [a, b]`` bound once and used only here -> ``f(lst[0], lst[1])``."""
    fn = ctx.function
    if fn is None or not isinstance(arg.value, cst.Name) or any(a.star == "**" for a in call.args):
        return None
    name = arg.value.value
    from ..analysis.syntax import iter_descendants

    displays = [n for n in iter_descendants(fn.node.body) if isinstance(n, cst.Assign) and len(n.targets) == 1
                and isinstance(n.targets[0].target, cst.Name) and n.targets[0].target.value == name]
    if len(displays) != 1 or not isinstance(displays[0].value, (cst.List, cst.Tuple)):
        return None
    elements = displays[0].value.elements
    if any(isinstance(e, cst.StarredElement) for e in elements):
        return None
    if len(_names_in(fn.node, name)) != 2:
        return None  # bound or read elsewhere (a mutation, a loop, a closure): no fix
    text = ", ".join(f"{name}[{i}]" for i in range(len(elements)))
    if not elements:
        return None
    return ctx.safe_fix(f"Pass the {len(elements)} elements of `{name}`", [(arg, text)])


def _starred_assignment_fix(container, owner, ctx):
    """``a, *rest = xs`` -> ``a = xs[0]`` / ``rest = xs[1:]`` (unsafe: the error for a short list)."""
    if not (isinstance(owner, cst.Assign) and len(owner.targets) == 1 and isinstance(owner.value, cst.Name)
            and isinstance(container, (cst.Tuple, cst.List))):
        return None
    parents = ctx.parents
    line = next((p for p in reversed(parents) if isinstance(p, cst.SimpleStatementLine)), None)
    if line is None or len(line.body) != 1 or line.body[0] is not owner:
        return None
    elements = container.elements
    stars = [i for i, e in enumerate(elements) if isinstance(e, cst.StarredElement)]
    if len(stars) != 1 or not all(isinstance(e.value, cst.Name) for e in elements):
        return None
    star, n, src = stars[0], len(elements), owner.value.value
    if any(e.value.value == src for e in elements):
        return None  # the list is rebound by the unpacking itself
    after = n - star - 1
    statements = []
    for i, e in enumerate(elements):
        target = e.value.value
        if i < star:
            value = f"{src}[{i}]"
        elif i == star:
            value = f"{src}[{star}:{-after if after else ''}]" if after else f"{src}[{star}:]"
        else:
            value = f"{src}[{i - n}]"
        statements.append(cst.parse_statement(f"{target} = {value}\n"))
    edit = statement_replacement(ctx, line, statements)
    if edit is None:
        return None
    return ctx.unsafe_fix("Index and slice the list instead", [edit])
