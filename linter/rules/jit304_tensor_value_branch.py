import libcst as cst

from ..analysis.script_extraction import script_if_tracing_fix
from ..analysis.trace_dims import VALUES
from ..analysis.tracing import input_free, statically_decided, tensor_requires
from .base import TRACE, Example, Rule

_TESTED = (cst.If, cst.While, cst.IfExp, cst.Assert, cst.CompIf)


class TensorValueBranch(Rule):
    """
    ## What it does
    Flags Python control flow decided by Tensor *values* in code that runs while
    ``torch.jit.trace`` traces: ``if``/``while``/ternary/comprehension conditions and ``assert``
    tests that are Tensors (``if x.sum() > 0:``, ``while t.any():``, ``assert x.all()``), and
    ``and``/``or``/``not`` applied to Tensors.

    ## Why is this bad?
    Python evaluates the condition with the example input (an implicit ``bool(tensor)``), and the
    trace records only the branch that was taken: every later input follows the same branch,
    whatever its values, with no error ("Converting a tensor to a Python boolean might cause the
    trace to be incorrect"). A traced ``assert`` or ``if ...: raise`` check is not part of the
    trace at all: later inputs are never checked.

    ## Example
    ```python
    def forward(self, x):
        if x.sum() > 0:
            return x * 2
        return -x
    ```

    ## Use instead
    Compute both sides and select with ``torch.where`` (when both are valid for every input),
    or move the branch into a ``@torch.jit.script_if_tracing`` helper, which keeps it:
    ```python
    def forward(self, x):
        return torch.where(x.sum() > 0, x * 2, -x)
    ```

    ## Fix safety
    The fix for an ``if``/``while`` statement (``--unsafe-fixes``) moves it into a new
    module-level ``@torch.jit.script_if_tracing`` function, passed the names the block reads and
    returning, as Tensors, the names later code reads (``y = _fn_branch(x, y)``; a block that
    returns on every path, or an ``if`` returning on some paths together with the rest of the
    function, becomes ``return _fn_branch(x)``). Eagerly the helper is plain Python, but it is
    unsafe: while tracing, the helper is compiled by ``torch.jit.script``, so code TorchScript
    rejects or types differently now fails (loudly) at trace time; results must be Tensors; and
    aliasing between the moved code and the caller's objects is no longer shared. The fix is
    not offered, or refused, when a value the block reads is not known to be a Tensor or plain
    value, is already frozen (a size or ``.item()`` read before the block), may be unassigned,
    or when a result is assigned on some paths only. ``torch.where`` is not proposed
    automatically: it evaluates both branches, which changes behaviour when one of them fails
    or is expensive.
    """

    code = "JIT304"
    name = "tensor-value-branch"
    message = "Python control flow on a Tensor value is frozen into the trace"
    mode = TRACE
    varies = (VALUES,)
    fix_safety = "unsafe"
    evidence = ("t008", "t040")

    INVALID = [
        Example(
            """
            import torch

            def fn(x):
                if x.sum() > 0:  # MARK
                    return x * 2
                return -x
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 2.0]),), (torch.tensor([-1.0, -2.0]),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    while x.abs().max() > 1:  # MARK
                        x = x / 2
                    return x
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([3.0, 1.0]),), (torch.tensor([9.0, 1.0]),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                return x * 2 if (x > 0).all() else x * 3  # MARK
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 2.0]),), (torch.tensor([-1.0, 2.0]),)]",
        ),
        Example(
            """
            import torch

            def fn(x, y):
                z = x.sum() and y  # MARK
                return z * 2
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(2), torch.ones(2)), (torch.zeros(2), torch.ones(2))]",
        ),
        Example(
            """
            import torch

            def fn(x):
                assert (x >= 0).all(), "negative input"  # MARK
                return x.sqrt()
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 4.0]),), (torch.tensor([-1.0, 4.0]),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x):
                return torch.where(x.sum() > 0, x * 2, -x)
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([1.0, 2.0]),), (torch.tensor([-1.0, -2.0]),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            @torch.jit.script_if_tracing
            def _halve_big(x: torch.Tensor) -> torch.Tensor:
                while bool(x.abs().max() > 1):
                    x = x / 2
                return x

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.register_buffer("gain", torch.ones(2))

                def forward(self, x):
                    if self.gain.sum() > 0:
                        x = x * self.gain
                    if x is not None and isinstance(x, torch.Tensor):
                        x = x + 0
                    return _halve_big(x)
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.tensor([3.0, 1.0]),), (torch.tensor([9.0, 1.0]),)]",
        ),
    ]

    def _check_test(self, owner: cst.CSTNode, test: cst.BaseExpression, ctx, what: str) -> None:
        requires = tensor_requires(test, ctx)
        if requires is None or input_free(test, ctx) or statically_decided(test, ctx):
            return
        code = ctx.code_of(test)
        fix = None
        if isinstance(owner, cst.Assert):
            msg = (f"`assert {code}` checks a Tensor value once, at trace time: the trace does not contain the "
                   f"check, so later inputs are not checked. Move it into a `@torch.jit.script_if_tracing` helper that "
                   f"returns the checked Tensor, or check inputs outside the traced model")
        elif isinstance(owner, cst.If) and _raises_only(owner):
            msg = (f"`if {code}:` is decided once, with the example input: the check and its `raise` are not part "
                   f"of the trace, so later inputs are not checked (move the check into a `@torch.jit.script_if_tracing` "
                   f"helper that returns the checked Tensor)")
        else:
            msg = (f"{what} `{code}` is a Tensor value, evaluated once with the example input: the trace keeps "
                   f"only the branch taken then. Use `torch.where(...)` or a `@torch.jit.script_if_tracing` helper")
            if isinstance(owner, (cst.If, cst.While)):
                keyword = "if" if isinstance(owner, cst.If) else "while"
                fix = script_if_tracing_fix(owner, test, ctx, what=f"the `{keyword} {code}:` block",
                                            requires=requires)
        ctx.report(test, msg, requires=requires, fix=fix)

    def visit_If(self, node: cst.If, ctx) -> None:
        self._check_test(node, node.test, ctx, "the `if` condition")

    def visit_While(self, node: cst.While, ctx) -> None:
        self._check_test(node, node.test, ctx, "the `while` condition")

    def visit_IfExp(self, node: cst.IfExp, ctx) -> None:
        self._check_test(node, node.test, ctx, "the condition of the conditional expression")

    def visit_Assert(self, node: cst.Assert, ctx) -> None:
        self._check_test(node, node.test, ctx, "the assertion")

    def visit_CompIf(self, node: cst.CompIf, ctx) -> None:
        self._check_test(node, node.test, ctx, "the comprehension condition")

    def visit_BooleanOperation(self, node: cst.BooleanOperation, ctx) -> None:
        if _inside_condition(node, ctx):
            return  # reported once, at the whole condition
        requires = tensor_requires(node.left, ctx)
        if requires is None or input_free(node.left, ctx):
            return
        op = "and" if isinstance(node.operator, cst.And) else "or"
        ctx.report(node, f"`{ctx.code_of(node.left)} {op} ...` calls `bool()` on a Tensor value: the trace keeps the "
                         f"operand chosen for the example input. Use `torch.logical_{op}` or `torch.where`",
                   requires=requires)

    def visit_UnaryOperation(self, node: cst.UnaryOperation, ctx) -> None:
        if not isinstance(node.operator, cst.Not) or _inside_condition(node, ctx):
            return
        requires = tensor_requires(node.expression, ctx)
        if requires is None or input_free(node.expression, ctx):
            return
        ctx.report(node, f"`not {ctx.code_of(node.expression)}` calls `bool()` on a Tensor value, frozen into the "
                         f"trace: use `torch.logical_not(...)`", requires=requires)


def _inside_condition(node: cst.CSTNode, ctx) -> bool:
    """``node`` is (part of a not/and/or chain that is) the test of an if/while/assert/..."""
    parents = ctx.parents
    child: cst.CSTNode = node
    for i in range(len(parents) - 1, -1, -1):
        p = parents[i]
        if isinstance(p, _TESTED):
            return child is p.test
        if isinstance(p, cst.BooleanOperation) or (isinstance(p, cst.UnaryOperation) and isinstance(p.operator, cst.Not)):
            child = p
            continue
        return False
    return False


def _raises_only(node: cst.If) -> bool:
    if node.orelse is not None:
        return False
    body = node.body.body
    return bool(body) and all(
        isinstance(s, cst.SimpleStatementLine) and all(isinstance(x, (cst.Raise, cst.Expr, cst.Pass)) for x in s.body)
        for s in body
    ) and any(isinstance(x, cst.Raise) for s in body for x in s.body)

