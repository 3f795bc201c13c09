from typing import Dict

import libcst as cst

from ..analysis.typecheck.inference import annotation_type
from ..analysis.statement_edits import statement_replacement
from ..analysis.syntax import iter_descendants, self_attribute
from ..analysis.typecheck.lattice import NONE, describe, is_optional, kind
from .base import Example, Rule

_ORDER = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)
_CASTS = ("builtins.range", "builtins.int", "builtins.float")


def _declared_optional(class_node: cst.ClassDef, ctx) -> Dict[str, tuple]:
    """Class-body annotations ``name: Optional[T]`` (not listed in ``__constants__``)."""
    cache = ctx.file.scratch.setdefault("JIT209", {})
    key = id(class_node)
    if key in cache:
        return cache[key]
    out: Dict[str, tuple] = {}
    constants = set()
    for stmt in class_node.body.body if isinstance(class_node.body, cst.IndentedBlock) else ():
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                t = annotation_type(small.annotation, ctx.names)
                if is_optional(t) and t[1] is not None and kind(t[1]) not in ("module", "modlist", "moddict"):
                    # (an Optional submodule is typed from the instance: None or the module)
                    out[small.target.value] = t
            elif isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == "__constants__" for t in small.targets):
                constants.update(n.value.value.strip("'\"") for n in getattr(small.value, "elements", ())
                                 if isinstance(n.value, cst.SimpleString))
    for name in constants:
        out.pop(name, None)
    cache[key] = out
    return out


def _is_not_none_test(test: cst.BaseExpression, attr: str) -> bool:
    return (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.IsNot)
            and isinstance(test.comparisons[0].comparator, cst.Name) and test.comparisons[0].comparator.value == "None"
            and self_attribute(test.left) == attr)


class _ToLocal(cst.CSTTransformer):
    def __init__(self, attr: str, local: str):
        super().__init__()
        self.attr = attr
        self.local = local

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute):
        if self_attribute(original) == self.attr:
            return cst.Name(self.local)
        return updated


class OptionalAttributeRefinement(Rule):
    """
    ## What it does
    Flags uses of an ``nn.Module`` attribute declared ``Optional[...]`` in the class body
    (``bias: Optional[torch.Tensor]``) where compiled code needs the non-None value: in
    arithmetic, comparisons, attribute access, indexing, iteration, ``range()``/``int()``/
    ``float()`` or as a condition, typically inside ``if self.bias is not None:``.

    ## Why is this bad?
    TorchScript refines only local variables: ``if self.bias is not None:`` does not make
    ``self.bias`` a ``Tensor`` inside the branch, so ``x + self.bias`` is rejected ("Arguments
    for call are not valid"), also when the attribute is a Parameter or a buffer. Without the
    class-level annotation the attribute's type comes from the instance's value (a Tensor or
    ``None``, the branch is then folded) and the code compiles: only declared attributes are
    reported. Passing the attribute to a parameter typed ``Optional`` (``F.linear(x, w,
    self.bias)``) is fine, and so are ``Final`` and ``__constants__`` attributes.

    ## Example
    ```python
    class M(nn.Module):
        bias: Optional[torch.Tensor]

        def forward(self, x):
            if self.bias is not None:
                x = x + self.bias
            return x
    ```

    ## Use instead
    ```python
        def forward(self, x):
            bias = self.bias
            if bias is not None:
                x = x + bias
            return x
    ```

    ## Fix safety
    For a use inside ``if self.<attr> is not None:``, the fix copies the attribute to a local
    of the same name before the ``if`` and uses the local in the ``if`` statement. It is
    offered when the function never assigns the attribute and the name is free, and is safe:
    the local holds the same object.
    """

    code = "JIT209"
    name = "optional-attribute-refinement"
    message = "Optional module attribute used without a local copy (TorchScript cannot refine attributes)"
    fix_safety = "safe"
    evidence = ("s404", "s403")

    INVALID = [
        Example(
            """
            from typing import Optional
            import torch

            class M(torch.nn.Module):
                bias: Optional[torch.Tensor]

                def __init__(self):
                    super().__init__()
                    self.bias = torch.ones(3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if self.bias is not None:
                        x = x + self.bias  # MARK
                    return x
            """,
            root="M",
        ),
        Example(
            """
            from typing import Optional
            import torch
            from torch import nn

            class M(nn.Module):
                scale: Optional[float]

                def __init__(self):
                    super().__init__()
                    self.weight = nn.Parameter(torch.ones(3))
                    self.scale = 2.0

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.weight * self.scale  # MARK
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Final, Optional
            import torch
            import torch.nn.functional as F
            from torch import nn

            class M(nn.Module):
                bias: Optional[torch.Tensor]
                k: Final[Optional[int]]

                def __init__(self):
                    super().__init__()
                    self.weight = nn.Parameter(torch.ones(3, 3))
                    self.bias = torch.ones(3)
                    self.k = 2
                    self.scale = None

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    y = F.linear(x, self.weight, self.bias)
                    bias = self.bias
                    if bias is not None:
                        y = y + bias
                    if self.k is not None:
                        y = y * self.k
                    if self.scale is not None:
                        y = y * self.scale
                    return y
            """,
            root="M",
            inputs="[(torch.ones(2, 3),)]",
        ),
    ]

    def _declared(self, node: cst.BaseExpression, ctx):
        attr = self_attribute(node)
        if attr is None:
            return None
        fn = ctx.function
        if fn.class_node is None or not fn.is_method:
            return None
        t = _declared_optional(fn.class_node, ctx).get(attr)
        return (attr, t) if t is not None else None

    def _use(self, node: cst.BaseExpression, use: str, ctx) -> None:
        found = self._declared(node, ctx)
        if found is None:
            return
        attr, t = found
        done = ctx.scratch.setdefault(self.code, set())
        guard = next((c for c in reversed(ctx.conditions) if _is_not_none_test(c, attr)), None)
        key = (attr, id(guard))
        if key in done:
            return
        done.add(key)
        inner = describe(t[1])
        fix = self._fix(attr, guard, ctx) if guard is not None else None
        if guard is not None:
            why = (f"`if self.{attr} is not None:` does not refine it, because TorchScript refines only local "
                   "variables")
        else:
            why = "it is used without a refinement (and TorchScript cannot refine attributes)"
        class_id = ctx.function.id.rsplit(".", 1)[0]
        ctx.report(node, f"`self.{attr}` is declared `Optional[{inner}]` in the class body and used {use}: {why}; "
                         f"torch.jit.script rejects it. Copy it to a local first (`{attr} = self.{attr}`, then "
                         f"`if {attr} is not None:`)", fix=fix, requires=(("module", class_id),))

    def _fix(self, attr: str, guard: cst.BaseExpression, ctx):
        stmt = next((p for p in reversed(ctx.parents) if isinstance(p, cst.If) and p.test is guard), None)
        if stmt is None:
            return None
        parents = ctx.parents
        i = parents.index(stmt)
        if i > 0 and isinstance(parents[i - 1], cst.If) and parents[i - 1].orelse is stmt:
            return None  # an `elif`: nothing can go between it and its `if`
        fn = ctx.function.node
        nodes = list(iter_descendants(fn.body))
        attr_names = {id(n.attr) for n in nodes if isinstance(n, cst.Attribute)}
        for n in nodes:
            if isinstance(n, cst.Name) and n.value == attr and id(n) not in attr_names:
                return None  # the local name is taken
            if isinstance(n, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
                targets = [t.target for t in n.targets] if isinstance(n, cst.Assign) else [n.target]
                if any(self_attribute(t) == attr for t in targets):
                    return None
        copy = cst.parse_statement(f"{attr} = self.{attr}\n")
        new_if = stmt.visit(_ToLocal(attr, attr)).with_changes(leading_lines=[])
        edit = statement_replacement(ctx, stmt, [copy, new_if])
        if edit is None:
            return None
        return ctx.safe_fix(f"Copy `self.{attr}` to a local before the `if`", [edit])

    def visit_BinaryOperation(self, node: cst.BinaryOperation, ctx) -> None:
        for side in (node.left, node.right):
            self._use(side, "in arithmetic", ctx)

    def visit_UnaryOperation(self, node: cst.UnaryOperation, ctx) -> None:
        self._use(node.expression, "as a condition" if isinstance(node.operator, cst.Not) else "in arithmetic", ctx)

    def visit_Attribute(self, node: cst.Attribute, ctx) -> None:
        if isinstance(node.value, cst.Attribute):
            self._use(node.value, f"to access `.{node.attr.value}`", ctx)

    def visit_Subscript(self, node: cst.Subscript, ctx) -> None:
        self._use(node.value, "as a container (indexing)", ctx)

    def visit_Comparison(self, node: cst.Comparison, ctx) -> None:
        if len(node.comparisons) == 1 and isinstance(node.comparisons[0].operator, _ORDER):
            self._use(node.left, "in a comparison", ctx)
            self._use(node.comparisons[0].comparator, "in a comparison", ctx)

    def visit_If(self, node: cst.If, ctx) -> None:
        self._use(node.test, "as a condition", ctx)

    def visit_While(self, node: cst.While, ctx) -> None:
        self._use(node.test, "as a condition", ctx)

    def visit_IfExp(self, node: cst.IfExp, ctx) -> None:
        self._use(node.test, "as a condition", ctx)

    def visit_For(self, node: cst.For, ctx) -> None:
        self._use(node.iter, "as the iterable of a `for` loop", ctx)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in ("range", "int", "float") and node.args:
            if ctx.resolve(node.func) in _CASTS:
                self._use(node.args[0].value, f"as an argument of `{node.func.value}()`", ctx)

    def visit_Return(self, node: cst.Return, ctx) -> None:
        if node.value is None or self_attribute(node.value) is None:
            return
        ret = ctx.function.return_annotation
        t = annotation_type(ret, ctx.names) if ret is not None else None
        if t is not None and t != NONE and kind(t) != "optional":
            self._use(node.value, f"as the return value of a function annotated `-> {describe(t)}`", ctx)
