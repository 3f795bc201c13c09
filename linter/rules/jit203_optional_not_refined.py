from typing import Optional, Set

import libcst as cst

from ..analysis.guards import refinements
from ..analysis.typecheck.inference import annotation_type
from ..analysis.statement_edits import statement_replacement
from ..analysis.syntax import iter_descendants
from ..analysis.typecheck.lattice import NONE, describe, is_optional, kind
from .base import Example, Rule

_COMPARE_ORDER = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)
# Optional[T] conditions rewritten `x is not None and bool(x)` (what `if x:` computes in Python);
# bool() of these compiles (not of str, lists, dicts: their truth value is not a TorchScript op).
_TRUTHY_KINDS = frozenset({"tensor", "int", "float", "bool"})
_CASTS = {"builtins.range": "`range()`", "builtins.int": "`int()`", "builtins.float": "`float()`"}
# Expressions whose parts Python may not evaluate (an assert inserted before the statement
# would then fail where eager code did not).
_LAZY = (cst.IfExp, cst.BooleanOperation, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
         cst.GeneratorExp)


def _reads_self(node: cst.CSTNode) -> bool:
    for n in (node, *iter_descendants(node)):
        if isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and n.value.value == "self":
            return True
    return False


class OptionalNotRefined(Rule):
    """
    ## What it does
    Flags a value declared ``Optional[T]`` (an annotated parameter or local variable, or the
    result of a function annotated ``-> Optional[T]``) used where TorchScript needs a ``T``
    without an ``is not None`` refinement first: in arithmetic and comparisons, attribute and
    method access, indexing, iteration, ``range()``/``int()``/``float()``, as a condition
    (``if mask:``), or returned from a function whose return type is not Optional.

    ## Why is this bad?
    TorchScript checks types statically: an ``Optional[Tensor]`` is not a ``Tensor`` until the
    compiler has seen it refined. ``x + b`` is rejected ("Arguments for call are not valid"),
    ``b.sum()`` with "'Optional[Tensor]' object has no attribute or method 'sum'", ``if b:``
    with "Could not cast value of type Optional[Tensor] to bool". The compiler refines after
    ``if b is not None:``, ``if b is None: return/raise``, ``assert b is not None``, inside
    ``and`` chains and conditional expressions, and after ``isinstance``; it does **not**
    refine after ``if b is None: continue`` (or ``break``), on ``b != None``, or for
    attributes (see JIT209). ``len(b)`` and passing ``b`` to a parameter typed ``Optional``
    (e.g. ``F.linear(x, w, b)``) are fine and not reported.

    ## Example
    ```python
    def fn(x: torch.Tensor, b: Optional[torch.Tensor] = None) -> torch.Tensor:
        return x + b
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor, b: Optional[torch.Tensor] = None) -> torch.Tensor:
        assert b is not None
        return x + b
    ```
    or handle the ``None`` case (``if b is not None: x = x + b``).

    ## Fix safety
    The fix inserts ``assert <name> is not None`` before the statement. It is offered when the
    use raises in eager Python too for ``None`` (arithmetic, attribute access, indexing,
    iteration, ``range``/``int``/``float``) and is evaluated unconditionally in a simple
    statement or in a ``for`` header's iterable (which runs once, before the loop), so eager
    code still fails exactly when it failed before (with an ``AssertionError`` instead of a
    ``TypeError``/``AttributeError``); it is safe. A bare ``Optional`` Tensor/int/float/bool used
    as the condition of ``if``/``while``/``assert``/a ternary (``if b:``) becomes
    ``b is not None and bool(b)``: safe, it is what Python's truth test computes (``None`` is
    false, otherwise ``bool(b)``, which raises for a multi-element Tensor as before).
    """

    code = "JIT203"
    name = "optional-not-refined"
    message = "Optional value used without an `is not None` refinement"
    fix_safety = "safe"
    evidence = ("s118", "s119", "s121")

    INVALID = [
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, b: Optional[torch.Tensor] = None) -> torch.Tensor:
                return x + b  # MARK
            """,
            inputs="[(torch.ones(3), torch.ones(3))]",
        ),
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, b: Optional[torch.Tensor] = None) -> torch.Tensor:
                if b:  # MARK
                    x = x * 2
                return x
            """,
        ),
        Example(
            """
            from typing import List, Optional
            import torch

            def fn(xs: List[Optional[torch.Tensor]]) -> torch.Tensor:
                out = torch.zeros(3)
                for i in range(len(xs)):
                    b: Optional[torch.Tensor] = xs[i]
                    if b is None:
                        continue
                    out = out + b.sum()  # MARK
                return out
            """,
            inputs="[([torch.ones(3), torch.ones(3)],)]",
        ),
        Example(
            """
            from typing import Optional
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor, k: Optional[int] = None) -> torch.Tensor:
                    for _ in range(k):  # MARK
                        x = x + 1
                    return x
            """,
            root="M",
            inputs="[(torch.ones(3), 2)]",
        ),
        Example(
            """
            from typing import Optional
            import torch

            def pick(x: torch.Tensor) -> Optional[torch.Tensor]:
                return x if bool(x.sum() > 0) else None

            def fn(x: torch.Tensor) -> torch.Tensor:
                y = pick(x)
                return y.relu()  # MARK
            """,
        ),
    ]
    VALID = [
        Example(
            """
            from typing import List, Optional
            import torch
            import torch.nn.functional as F

            def fn(x: torch.Tensor, w: torch.Tensor, b: Optional[torch.Tensor] = None,
                   m: Optional[torch.Tensor] = None, dim: Optional[int] = None,
                   sizes: Optional[List[int]] = None) -> torch.Tensor:
                y = F.linear(x, w, b)
                if m is not None and bool(m.any()):
                    y = y * m
                if dim is None:
                    dim = -1
                n = 0 if sizes is None else len(sizes)
                assert b is not None
                return y.sum(dim) + b.sum() + n
            """,
            inputs="[(torch.ones(2, 2), torch.ones(2, 2), torch.ones(2))]",
        ),
        Example(
            """
            from typing import Optional
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor, scale: Optional[float] = None,
                            bias: Optional[torch.Tensor] = None) -> torch.Tensor:
                    if scale is None:
                        raise ValueError("scale is required")
                    if bias is None:
                        bias = torch.zeros_like(x)
                    out = x * scale + bias
                    return out if isinstance(bias, torch.Tensor) else x
            """,
            root="M",
            inputs="[(torch.ones(2), 2.0)]",
        ),
    ]

    # -- which names are declared Optional ------------------------------------------------------
    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        declared = {p.name for p in ctx.function.params
                    if p.annotation is not None and is_optional(p.type) and p.type[1] is not None}
        if declared:
            ctx.scratch[self.code] = declared

    def _declared(self, ctx) -> Set[str]:
        return ctx.scratch.setdefault(self.code, set())

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        if isinstance(node.target, cst.Name):
            t = annotation_type(node.annotation, ctx.names)
            declared = self._declared(ctx)
            if is_optional(t) and t[1] is not None:
                declared.add(node.target.value)
            else:
                declared.discard(node.target.value)

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        names = [t.target.value for t in node.targets if isinstance(t.target, cst.Name)]
        if not names:
            return
        declared = ctx.scratch.get(self.code)
        value = node.value
        if isinstance(value, cst.Call) and self._optional_call(value, ctx):
            declared = self._declared(ctx)
            declared.update(names)
            return
        if declared and any(n in declared for n in names) and _reads_self(value):
            # attribute types follow the instance's value (per-instance typing): not a declaration
            declared.difference_update(names)

    def _optional_call(self, call: cst.Call, ctx) -> bool:
        """A call of a project function/method whose return annotation is Optional[...]."""
        func = call.func
        if isinstance(func, cst.Name):
            if ctx.infer is not None and func.value in ctx.infer.locals:
                return False
            t = ctx.file.function_returns.get(func.value)
        elif (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self"
              and ctx.class_facts is not None and func.attr.value not in ctx.class_facts.attr_types):
            t = ctx.class_facts.method_returns.get(func.attr.value)
        else:
            return False
        return is_optional(t) and t[1] is not None

    # -- uses -------------------------------------------------------------------------------------
    def _optional(self, node: cst.BaseExpression, ctx):
        if not isinstance(node, cst.Name):
            return None
        declared = ctx.scratch.get(self.code)
        if not declared or node.value not in declared:
            return None
        t = ctx.type_of(node)
        return t if is_optional(t) and t[1] is not None else None

    def _report(self, name: cst.Name, t, use: str, ctx, owner: Optional[cst.CSTNode] = None,
                raises_in_eager: bool = True) -> None:
        inner = describe(t[1])
        fix = self._assert_fix(name, owner, ctx) if raises_in_eager else None
        ctx.report(name, f"`{name.value}` is `Optional[{inner}]` and is used {use} without a refinement: "
                         f"torch.jit.script rejects this until it knows `{name.value}` is not None "
                         f"(check `if {name.value} is not None:` or `assert {name.value} is not None` first)",
                   fix=fix)

    def _assert_fix(self, name: cst.Name, owner: Optional[cst.CSTNode], ctx):
        chain = list(ctx.parents) + ([owner] if owner is not None else [])
        chain.append(name)
        stmt_at = None
        for i in range(len(chain) - 1, -1, -1):
            if isinstance(chain[i], cst.SimpleStatementLine):
                stmt_at = i
                break
            if isinstance(chain[i], cst.For) and i + 1 < len(chain) and chain[i + 1] is chain[i].iter:
                stmt_at = i  # a `for` header's iterable runs once, before the loop
                break
            if isinstance(chain[i], cst.BaseCompoundStatement):
                return None
        if stmt_at is None:
            return None
        for outer, inner in zip(chain[stmt_at:], chain[stmt_at + 1:]):
            if isinstance(outer, _LAZY):
                if isinstance(outer, cst.IfExp) and inner is outer.test:
                    continue
                if isinstance(outer, cst.BooleanOperation) and inner is outer.left:
                    continue
                return None
        stmt = chain[stmt_at]
        check = cst.parse_statement(f"assert {name.value} is not None\n")
        edit = statement_replacement(ctx, stmt, [check, stmt.with_changes(leading_lines=[])])
        if edit is None:
            return None
        return ctx.safe_fix(f"Insert `assert {name.value} is not None`", [edit])

    def visit_BinaryOperation(self, node: cst.BinaryOperation, ctx) -> None:
        for side in (node.left, node.right):
            t = self._optional(side, ctx)
            if t is not None:
                self._report(side, t, "in arithmetic", ctx, node)
                return

    def visit_UnaryOperation(self, node: cst.UnaryOperation, ctx) -> None:
        t = self._optional(node.expression, ctx)
        if t is None:
            return
        if isinstance(node.operator, cst.Not):
            self._report(node.expression, t, "as a condition (`not`)", ctx, node, raises_in_eager=False)
        else:
            self._report(node.expression, t, "in arithmetic", ctx, node)

    def visit_Attribute(self, node: cst.Attribute, ctx) -> None:
        t = self._optional(node.value, ctx)
        if t is not None:
            self._report(node.value, t, f"to access `.{node.attr.value}`", ctx, node)

    def visit_Subscript(self, node: cst.Subscript, ctx) -> None:
        t = self._optional(node.value, ctx)
        if t is not None:
            self._report(node.value, t, "as a container (indexing)", ctx, node)

    def visit_Comparison(self, node: cst.Comparison, ctx) -> None:
        if len(node.comparisons) != 1:
            return
        comp = node.comparisons[0]
        op = comp.operator
        if isinstance(op, _COMPARE_ORDER):
            sides = (node.left, comp.comparator)
        elif isinstance(op, (cst.Equal, cst.NotEqual)):
            left_none = ctx.type_of(node.left) in (NONE, None)
            right_none = ctx.type_of(comp.comparator) in (NONE, None)
            sides = tuple(s for s, other_none in ((node.left, right_none), (comp.comparator, left_none))
                          if not other_none)
        else:
            return
        for side in sides:
            t = self._optional(side, ctx)
            if t is not None:
                self._report(side, t, "in a comparison", ctx, node, raises_in_eager=isinstance(op, _COMPARE_ORDER))
                return

    def _condition(self, test: cst.BaseExpression, ctx, owner) -> None:
        t = self._optional(test, ctx)
        if t is not None:
            fix = None
            if kind(t[1]) in _TRUTHY_KINDS and owner is not None and getattr(owner, "test", None) is test:
                fix = ctx.safe_fix(f"Write the truth test as `{test.value} is not None and bool({test.value})`",
                                   [(test, f"({test.value} is not None and bool({test.value}))"
                                     if isinstance(owner, cst.IfExp) else
                                     f"{test.value} is not None and bool({test.value})")])
            ctx.report(test, f"`{test.value}` is `Optional[{describe(t[1])}]` and is used as a condition (TorchScript "
                             f"cannot cast an Optional to bool) without a refinement: torch.jit.script rejects this "
                             f"until it knows `{test.value}` is not None (check `if {test.value} is not None:` or "
                             f"`assert {test.value} is not None` first)", fix=fix)

    def visit_If(self, node: cst.If, ctx) -> None:
        self._condition(node.test, ctx, node)

    def visit_While(self, node: cst.While, ctx) -> None:
        self._condition(node.test, ctx, node)

    def visit_IfExp(self, node: cst.IfExp, ctx) -> None:
        self._condition(node.test, ctx, node)

    def visit_Assert(self, node: cst.Assert, ctx) -> None:
        self._condition(node.test, ctx, node)

    def visit_BooleanOperation(self, node: cst.BooleanOperation, ctx) -> None:
        self._condition(node.left, ctx, node)
        if isinstance(node.right, cst.Name):
            refined = refinements(node.left, isinstance(node.operator, cst.And))
            if refined.get(node.right.value) != "notnone":
                self._condition(node.right, ctx, node)

    def visit_For(self, node: cst.For, ctx) -> None:
        t = self._optional(node.iter, ctx)
        if t is not None:
            self._report(node.iter, t, "as the iterable of a `for` loop", ctx, node)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if not isinstance(node.func, cst.Name) or node.func.value not in ("range", "int", "float"):
            return
        what = _CASTS.get(ctx.resolve(node.func) or "")
        if what is None:
            return
        for arg in node.args:
            t = self._optional(arg.value, ctx)
            if t is not None:
                self._report(arg.value, t, f"as an argument of {what}", ctx, node)
                return

    def visit_Return(self, node: cst.Return, ctx) -> None:
        t = self._optional(node.value, ctx) if node.value is not None else None
        if t is None:
            return
        fn = ctx.function
        ret = annotation_type(fn.return_annotation, ctx.names) if fn.return_annotation is not None else None
        if ret is None or ret == NONE or kind(ret) == "optional":
            return
        self._report(node.value, t, f"as the return value of a function annotated `-> {describe(ret)}`", ctx, node,
                     raises_in_eager=False)
