from typing import List

import libcst as cst

from ..analysis.typecheck.inference import annotation_type
from ..analysis.syntax import iter_children
from ..analysis.typecheck.lattice import BOOL, FLOAT, INT, NUMBER, SBOOL, SINT, SIZE, STR, TENSOR, describe, kind
from .base import Example, Rule

# Operand kinds that are certainly not bool (TorchScript turns them into bools in `and`/`or`).
_NON_BOOL = frozenset({INT, SINT, FLOAT, NUMBER, STR, SIZE, TENSOR, "list", "tuple", "dict", "optional"})
_COMPS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
_BOOLS = (BOOL, SBOOL)


# Inner types of an Optional whose truth test `a is not None and bool(a)` compiles.
_TRUTHY = frozenset({"int", "float", "bool", "tensor"})


def _truth_use(node: cst.CSTNode, parent_of) -> bool:
    """Whether this use of a value only tests its truth (``if v:``, ``not v``, ``v and w`` there)."""
    while True:
        p = parent_of.get(id(node))
        if isinstance(p, (cst.If, cst.While, cst.Assert, cst.IfExp)):
            return p.test is node
        if isinstance(p, cst.UnaryOperation):
            return isinstance(p.operator, cst.Not)
        if isinstance(p, cst.BooleanOperation):
            node = p  # the enclosing and/or must itself be a truth test
            continue
        return False


def _assigned_truth_value(node: cst.BooleanOperation, ctx) -> bool:
    """``v = a or b`` where every later read of ``v`` in the function is a truth test."""
    p = ctx.parent
    if isinstance(p, cst.Assign) and len(p.targets) == 1 and isinstance(p.targets[0].target, cst.Name):
        name = p.targets[0].target.value
    elif isinstance(p, cst.AnnAssign) and isinstance(p.target, cst.Name) and p.value is node:
        name = p.target.value
    else:
        return False
    if ctx.function is None:
        return False
    parent_of = {}
    uses = []
    stack = [ctx.function.node.body]
    while stack:
        current = stack.pop()
        for child in iter_children(current):
            parent_of[id(child)] = current
            if isinstance(child, cst.Name) and child.value == name:
                uses.append(child)
            stack.append(child)
    reads = 0
    for use in uses:
        owner = parent_of.get(id(use))
        if isinstance(owner, cst.AssignTarget) or (isinstance(owner, (cst.AnnAssign, cst.AugAssign))
                                                   and owner.target is use):
            continue
        if isinstance(owner, cst.Param):
            return False
        reads += 1
        if not _truth_use(use, parent_of):
            return False
    return reads > 0


def _operands(node: cst.BaseExpression, out: List[cst.BaseExpression], root: bool = True) -> List[cst.BaseExpression]:
    if isinstance(node, cst.BooleanOperation) and (root or not node.lpar):
        _operands(node.left, out, False)
        _operands(node.right, out, False)
    else:
        out.append(node)
    return out


def _bool_context(node: cst.BooleanOperation, ctx) -> bool:
    """Whether the value of ``node`` is only used as a truth value."""
    parents = ctx.parents
    p = parents[-1] if parents else None
    if isinstance(p, (cst.If, cst.While, cst.Assert, cst.IfExp)):
        return p.test is node
    if isinstance(p, cst.UnaryOperation):
        return isinstance(p.operator, cst.Not)
    if isinstance(p, cst.BooleanOperation):
        return True  # the enclosing operation decides (and is checked itself)
    if isinstance(p, cst.Arg) and len(parents) > 1 and isinstance(parents[-2], cst.Call):
        return ctx.resolve(parents[-2].func) == "builtins.bool"
    if isinstance(p, _COMPS):
        comp = p.for_in
        while comp is not None:
            if any(c.test is node for c in comp.ifs):
                return True
            comp = comp.inner_for_in
    return False


def _used_as_tensor(node: cst.BooleanOperation, ctx) -> bool:
    """Whether the result certainly has to be a Tensor (arithmetic, a Tensor return/annotation)."""
    p = ctx.parent
    if isinstance(p, cst.BinaryOperation):
        return True
    if isinstance(p, cst.Return) and ctx.function is not None and ctx.function.return_annotation is not None:
        return annotation_type(ctx.function.return_annotation, ctx.names) == TENSOR
    if isinstance(p, cst.AnnAssign) and p.value is node:
        return annotation_type(p.annotation, ctx.names) == TENSOR
    return False


class BoolOpValue(Rule):
    """
    ## What it does
    Flags ``a or b`` / ``a and b`` used as a *value* (assigned, returned, passed, computed with)
    in compiled code when an operand is known to be a non-bool value: ``n = k or 3`` for ints,
    ``name = s or "default"`` for strings, ``v = opt or 1`` for ``Optional`` values,
    ``flag and k``, and ``x or y`` between Tensors when the result is used as a Tensor. A result
    assigned to a variable that is only ever tested (``if v:``, ``not v``) is not flagged.

    ## Why is this bad?
    In TorchScript ``and``/``or`` always produce a ``bool``: ``k or 3`` is ``True``, so
    ``x * (k or 3)`` silently computes ``x * 1`` where Python computes ``x * 3``. For strings,
    Tensors and ``Optional`` values the bool no longer fits the expected type and compilation
    fails ("Return value was annotated as having type str but is actually of type bool",
    "Could not cast value of type Optional[int] to bool"). Boolean contexts (``if``/``while``/
    ``assert`` tests, ``not``, ``bool(...)``) are fine, and so are operands that are bools.

    ## Example
    ```python
    def fn(x: torch.Tensor, k: int) -> torch.Tensor:
        n = k or 3
        return x * n
    ```

    ## Use instead
    An explicit conditional expression:
    ```python
    def fn(x: torch.Tensor, k: int) -> torch.Tensor:
        n = k if k else 3
        return x * n
    ```

    ## Fix safety
    For two operands of the same type with a plain name on the left, ``a or b`` becomes
    ``a if a else b`` and ``a and b`` becomes ``b if a else a``: the same value and the same
    short-circuiting in Python, so the fix is safe. With ``a`` an ``Optional`` int, float,
    bool or Tensor and ``b`` of the inner type, ``a or b`` becomes
    ``a if a is not None and bool(a) else b`` (Python's truth test of an Optional, which
    TorchScript can refine): safe as well.
    """

    code = "JIT132"
    name = "bool-op-value"
    message = "`and`/`or` on non-bool operands produces a bool in TorchScript"
    fix_safety = "safe"
    evidence = ("s240",)

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, k: int) -> torch.Tensor:
                n = k or 3  # MARK
                return x * n
            """,
            inputs="[(torch.ones(3), 0), (torch.ones(3), 2)]",
            expect="diverge",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, k: int) -> torch.Tensor:
                return x * (k and 3)  # MARK
            """,
            inputs="[(torch.ones(3), 2)]",
            expect="diverge",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool, k: int) -> torch.Tensor:
                scale = flag and k  # MARK
                return x * scale
            """,
            inputs="[(torch.ones(3), True, 2)]",
            expect="diverge",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, s: str) -> str:
                name = s or "default"  # MARK
                return name
            """,
            inputs="[(torch.ones(3), '')]",
        ),
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, o: Optional[int]) -> torch.Tensor:
                v = o or 1  # MARK
                return x * v
            """,
            inputs="[(torch.ones(3), None)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
                return x or z  # MARK
            """,
            inputs="[(torch.tensor([0.0]), torch.tensor([5.0]))]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, k: int, m: Optional[torch.Tensor]) -> torch.Tensor:
                n = k if k else 3
                has_mask = m is not None and bool(m.any())
                ok = x.numel() > 0 and x.dim() == 1
                big = (x.sum() > 0).all() and (x.sum() < 10).all()
                if (k or n) and not (k and n):
                    n = n + 1
                assert k or n
                while k or n > 100:
                    k = 0
                    n = 0
                flag = bool(k or n)
                if big and ok and not has_mask:
                    return x * n + flag
                return x
            """,
            inputs="[(torch.ones(3), 0, None), (torch.ones(3), 2, torch.ones(3))]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, a: bool, b: bool, k: int) -> torch.Tensor:
                both = a and b
                either = a or (x.dim() == 1)
                use = k or b
                if use and not either:
                    return x
                return x * both + x * either
            """,
            inputs="[(torch.ones(3), True, False, 0)]",
        ),
    ]

    def visit_BooleanOperation(self, node: cst.BooleanOperation, ctx) -> None:
        if _bool_context(node, ctx):
            return
        operands = _operands(node, [])
        types = [ctx.type_of(o) for o in operands]
        if any(t is None for t in types):
            return
        values = [t for t in types if t not in _BOOLS]
        if not values or any(kind(t) not in _NON_BOOL for t in values):
            return
        if all(t == TENSOR for t in values) and not _used_as_tensor(node, ctx):
            return  # `m is not None and m.any()`: Tensors used as truth values work the same
        if _assigned_truth_value(node, ctx):
            return  # assigned to a name that is only ever tested: a bool works the same
        op = "or" if isinstance(node.operator, cst.Or) else "and"
        shown = ", ".join(dict.fromkeys(describe(t) for t in types))
        fix = None
        if len(operands) == 2 and isinstance(operands[0], cst.Name) and types[0] == types[1] \
                and kind(types[0]) != "optional":
            a, b = operands[0].value, ctx.code_of(operands[1])
            if not isinstance(operands[1], (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer,
                                            cst.Float, cst.SimpleString, cst.List, cst.Tuple, cst.Dict)) \
                    and not operands[1].lpar:
                b = f"({b})"
            text = f"{a} if {a} else {b}" if op == "or" else f"{b} if {a} else {a}"
            if not node.lpar and isinstance(ctx.parent, cst.IfExp):
                text = f"({text})"  # (parentheses of the node itself stay in place)
            fix = ctx.safe_fix(f"Use a conditional expression `{text}`", [(node, text)])
        elif (len(operands) == 2 and op == "or" and isinstance(operands[0], cst.Name)
              and kind(types[0]) == "optional" and types[0][1] == types[1] and types[1] in _TRUTHY):
            a, b = operands[0].value, ctx.code_of(operands[1])
            if not isinstance(operands[1], (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer,
                                            cst.Float, cst.SimpleString)) and not operands[1].lpar:
                b = f"({b})"
            text = f"{a} if {a} is not None and bool({a}) else {b}"
            if not node.lpar and isinstance(ctx.parent, cst.IfExp):
                text = f"({text})"
            fix = ctx.safe_fix(f"Use a conditional expression `{text}`", [(node, text)])
        ctx.report(node, f"`{op}` on {shown} operands used as a value: TorchScript converts the operands to bool, "
                         f"so the result is a bool (Python returns an operand); write `a if a else b`", fix=fix)
