from typing import Optional

import libcst as cst

from ..analysis.guards import refinements
from ..analysis.typecheck.lattice import (
    BOOL,
    DEVICE,
    FLOAT,
    INT,
    NONE,
    SBOOL,
    SINT,
    SIZE,
    STR,
    TENSOR,
    describe,
    is_optional,
    kind,
    strip_optional,
)
from .base import Example, Rule

# TorchScript's view of jitlint's scalar types (types it cannot unify with each other).
_CLASS = {TENSOR: "Tensor", INT: "int", SINT: "int", FLOAT: "float", BOOL: "bool", SBOOL: "bool",
          STR: "str", DEVICE: "Device"}
# Calls the compiler may evaluate statically in a condition (then only one branch is typed).
_STATIC_CALLS = frozenset({
    "builtins.isinstance", "builtins.hasattr", "torch.jit.isinstance", "torch.jit.is_scripting",
    "torch.jit._script.is_scripting", "torch._C._is_scripting", "torch.jit.is_tracing",
    "torch._C._get_tracing_state", "torch.jit._trace.is_tracing",
})


def _maybe_static(test: cst.BaseExpression, ctx) -> bool:
    """Whether the compiler might fold ``test`` to a constant (it then types one branch only):
    literals, ``is None`` checks, ``isinstance``/``hasattr``/``is_scripting()``, module attributes
    (``Final``/``__constants__`` ones are constants)."""
    stack = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return True
        elif isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value == "self":
                if node.attr.value != "training" and not _plain_attribute(node.attr.value, ctx):
                    return True
                continue
            stack.append(node.value)
            continue
        elif isinstance(node, cst.Comparison):
            if any(isinstance(c.operator, (cst.Is, cst.IsNot)) for c in node.comparisons):
                # `v is None` is only dynamic when v is a local known to be Optional
                if not (len(node.comparisons) == 1 and isinstance(node.left, cst.Name)
                        and isinstance(node.comparisons[0].comparator, cst.Name)
                        and node.comparisons[0].comparator.value == "None"
                        and is_optional(ctx.type_of(node.left))):
                    return True
                continue
        elif isinstance(node, cst.Call):
            if ctx.resolve(node.func) in _STATIC_CALLS:
                return True
        elif isinstance(node, (cst.Lambda, cst.BaseComp)):
            return True
        for name in ("left", "right", "expression", "func", "value", "comparisons", "args", "comparator",
                     "elements", "slice"):
            child = getattr(node, name, None)
            if isinstance(child, cst.CSTNode):
                stack.append(child)
            elif isinstance(child, (tuple, list)):
                stack.extend(c for c in child if isinstance(c, cst.CSTNode))
    return False


def _plain_attribute(attr: str, ctx) -> bool:
    """A module attribute of a known, non-None type that is not a constant (``Final`` or in
    ``__constants__``): the compiler does not fold tests on it."""
    facts = ctx.class_facts
    t = facts.attr_types.get(attr) if facts is not None else None
    if t is None or t == NONE or is_optional(t) or kind(t) in ("module", "modlist", "moddict", "class", "func"):
        return False
    cls = ctx.function.class_node
    for stmt in cls.body.body if cls is not None else ():
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == attr:
                ann = small.annotation.annotation
                base = ann.value if isinstance(ann, cst.Subscript) else ann
                if (ctx.resolve(base) or "").endswith("Final"):
                    return False
            elif isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == "__constants__" for t in small.targets):
                return False  # constants listed: do not try to read the list precisely
    return True


def _mismatch(a, b) -> bool:
    ca, cb = _CLASS.get(a), _CLASS.get(b)
    if ca is not None and cb is not None:
        return ca != cb
    ka, kb = kind(a), kind(b)
    if ka in ("list", SIZE) and kb == "tuple" or kb in ("list", SIZE) and ka == "tuple":
        return True
    if ka == kb == "list" and a[1] is not None and b[1] is not None:
        return _mismatch(a[1], b[1])
    if ka == kb == "tuple" and a[1] is not None and b[1] is not None:
        if len(a[1]) != len(b[1]):
            return True
        return any(x is not None and y is not None and _mismatch(x, y) for x, y in zip(a[1], b[1]))
    return False


class MixedTypeTernary(Rule):
    """
    ## What it does
    Flags conditional expressions ``a if c else b`` in compiled code whose branches have types
    TorchScript cannot unify: Tensor vs a Python number or string, ``int`` vs ``float``, ``int``
    or ``float`` vs ``bool``, ``str`` vs a number, a ``Device`` vs ``str``, lists with different
    element types, a list (or ``x.shape``) vs a tuple.

    ## Why is this bad?
    TorchScript types both branches and requires the same type: "if-expression's true branch
    has type Tensor but false branch has type int". ``None`` in one branch is fine (the result is
    ``Optional``), so is ``int`` vs a number from ``.item()``. When the condition is a constant
    for the compiler (``is None`` checks, ``isinstance``, ``torch.jit.is_scripting()``,
    ``Final`` attributes) only one branch is compiled, so such conditions are not flagged.

    ## Example
    ```python
    def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
        y = x if flag else 0
        return x + y
    ```

    ## Use instead
    Make both branches the same type:
    ```python
    def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
        y = x if flag else torch.zeros_like(x)
        return x + y
    ```

    ## Fix safety
    For a Tensor variable against the literal ``0`` the fix uses ``torch.zeros_like(<tensor>)``;
    for ``int`` against ``float`` it turns an int literal into a float literal (``0`` -> ``0.0``).
    An int name, attribute, subscript or call against a float becomes ``float(...)``; ``True``/
    ``False`` against a number becomes ``1.0``/``0.0`` (``1``/``0`` against an int); a shape
    (``x.shape``, a list of ints) against a tuple of int literals becomes ``list(x.shape)``
    against the same list. All are unsafe: the eager value changes type (a Tensor, float or list
    where an int, bool, ``torch.Size`` or tuple was), which is only equivalent when the result is
    used arithmetically (or, for the lists, indexed, iterated and passed as sizes). An ``Optional`` Tensor refined by the
    test (``b if b is not None else 0``) gets no fix: ``torch.zeros_like(b)`` would run on ``None``.
    """

    code = "JIT128"
    name = "mixed-type-ternary"
    message = "the branches of this conditional expression have different types"
    fix_safety = "unsafe"
    evidence = ("s217", "s216")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                y = x if flag else 0  # MARK
                return x + y
            """,
            inputs="[(torch.ones(3), True)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int) -> float:
                scale = n if n > 0 else 0.5  # MARK
                return scale * 2
            """,
            inputs="[(torch.ones(3), 2)]",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    p = 0.1 if self.training else False  # MARK
                    return x * p
            """,
            root="M",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.use_bias = True

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    y = x if self.use_bias else 0  # MARK
                    return x + y
            """,
            root="M",
        ),
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, bias: Optional[torch.Tensor]) -> torch.Tensor:
                b = bias if bias is not None else 0.0  # MARK
                return x + b
            """,
            inputs="[(torch.ones(3), None)]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor, c: bool) -> List[int]:
                size = x.shape if c else (1, 2)  # MARK
                return list(size)
            """,
            inputs="[(torch.ones(2, 3), True)]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, flag: bool, bias: Optional[torch.Tensor]) -> torch.Tensor:
                y = x if flag else torch.zeros_like(x)
                b = bias if bias is not None else torch.zeros_like(x)
                z = x * 2 if flag else None
                k = x.size(0) if flag else 1
                if z is not None:
                    y = y + z
                return x + y + b + k
            """,
            inputs="[(torch.ones(3), True, None), (torch.ones(3), False, torch.ones(3))]",
        ),
        Example(
            """
            from typing import Final
            import torch

            class M(torch.nn.Module):
                use_scale: Final[bool]

                def __init__(self):
                    super().__init__()
                    self.use_scale = True

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    s = x.sum() if self.use_scale else 1.0
                    return x * s
            """,
            root="M",
        ),
    ]

    def visit_IfExp(self, node: cst.IfExp, ctx) -> None:
        if _has_starred(node.body) or _has_starred(node.orelse):
            return  # jitlint's tuple type drops `*x` elements: lengths are unknown
        a = _refined(node.body, _type(node.body, ctx), node.test, True)
        if a is None:
            return
        b = _refined(node.orelse, _type(node.orelse, ctx), node.test, False)
        if b is not None and _empty_list(node.body) != _empty_list(node.orelse):
            # `[]` is a List[Tensor] in TorchScript
            a, b = (("list", TENSOR), b) if _empty_list(node.body) else (a, ("list", TENSOR))
        if b is None or a == b or not _mismatch(a, b):
            return
        if _maybe_static(node.test, ctx):
            return
        ctx.report(node, f"the true branch has type {describe(a)} but the false branch has type {describe(b)}: "
                         "torch.jit.script rejects a conditional expression whose branches differ in type",
                   fix=_fix(node, a, b, ctx))


def _type(node: cst.BaseExpression, ctx):
    """``ctx.type_of``, except that a comparison of operands of unknown type is unknown (it is a
    Tensor when an operand is one) and that a module attribute holding a ``torch.Size`` is a
    tuple (TorchScript types attributes from the instance's values)."""
    t = ctx.type_of(node)
    if t == SIZE and isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) \
            and node.value.value == "self":
        return ("tuple", None)
    if isinstance(node, cst.Comparison) and not all(
            isinstance(c.operator, (cst.Is, cst.IsNot, cst.In, cst.NotIn)) for c in node.comparisons):
        if ctx.type_of(node.left) is None or any(ctx.type_of(c.comparator) is None for c in node.comparisons):
            return None
    return t


def _has_starred(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.Tuple, cst.List)) and any(isinstance(e, cst.StarredElement) for e in node.elements)


def _empty_list(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.List) and not node.elements


def _refined(branch: cst.BaseExpression, t, test: cst.BaseExpression, truthy: bool):
    """The type of ``branch`` once ``test`` is known to be ``truthy`` (``is None`` refinement)."""
    if isinstance(branch, cst.Name) and is_optional(t):
        how = refinements(test, truthy).get(branch.value)
        if how == "notnone":
            return strip_optional(t)
        if how == "none":
            return NONE
    return t


def _fix(node: cst.IfExp, a, b, ctx):
    for tensor_side, other, t_other in ((node.body, node.orelse, b), (node.orelse, node.body, a)):
        t_tensor = a if tensor_side is node.body else b
        if t_tensor == TENSOR and isinstance(tensor_side, cst.Name) and _is_zero(other) \
                and not is_optional(ctx.type_of(tensor_side)) \
                and ctx.resolve(cst.Attribute(cst.Name("torch"), cst.Name("zeros_like"))) == "torch.zeros_like":
            return ctx.unsafe_fix("Use `torch.zeros_like(...)`",
                                  [(other, f"torch.zeros_like({tensor_side.value})")])
    for int_side, t_int, t_float in ((node.body, a, b), (node.orelse, b, a)):
        if t_int == INT and t_float == FLOAT and isinstance(int_side, cst.Integer):
            return ctx.unsafe_fix("Use a float literal", [(int_side, f"{int(int_side.value, 0)}.0")])
        if t_int == INT and t_float == FLOAT and isinstance(int_side, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):
            return ctx.unsafe_fix("Convert the int with `float()`", [(int_side, f"float({ctx.code_of(int_side)})")])
    for bool_side, t_bool, t_float in ((node.body, a, b), (node.orelse, b, a)):
        if t_bool == BOOL and t_float in (FLOAT, INT) and isinstance(bool_side, cst.Name) \
                and bool_side.value in ("True", "False"):
            one = "1" if bool_side.value == "True" else "0"
            return ctx.unsafe_fix("Use a number literal", [(bool_side, f"{one}.0" if t_float == FLOAT else one)])
    for size_side, t_size, t_tuple, other in ((node.body, a, b, node.orelse), (node.orelse, b, a, node.body)):
        if kind(t_size) in (SIZE, "list") and (t_size == SIZE or t_size[1] == INT) and isinstance(other, cst.Tuple) \
                and other.elements and all(isinstance(e, cst.Element) and isinstance(e.value, cst.Integer)
                                           for e in other.elements) and kind(t_tuple) == "tuple":
            items = ", ".join(ctx.code_of(e.value) for e in other.elements)
            edits = [(other, f"[{items}]")]
            if t_size == SIZE:
                edits.append((size_side, f"list({ctx.code_of(size_side)})"))
            return ctx.unsafe_fix("Use lists on both sides", edits)
    return None


def _is_zero(node: cst.BaseExpression) -> Optional[bool]:
    return isinstance(node, (cst.Integer, cst.Float)) and float(node.value) == 0.0
