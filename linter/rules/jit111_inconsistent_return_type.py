"""JIT111 and the "confident type" helper it shares with JIT116 (branch-type-change).

``confident_type`` answers only where TorchScript's static type is certain from the code
itself: literals, parameters and annotated locals, shape arithmetic, ``float()``/``str()``,
and Tensor-producing expressions built from those with well-known torch functions. It is
stricter than ``ctx.type_of`` (which, e.g., types every call of an imported submodule or
``x.max(dim=1)`` as a Tensor) because these rules compare two types and a single wrong
guess would be a false alarm.
"""


import libcst as cst

from ..analysis.guards import maybe_folded
from ..analysis.typecheck.certain import article, confident_type, conflict
from .base import Example, Rule


class InconsistentReturnType(Rule):
    """
    ## What it does
    Flags a compiled function without a return annotation whose ``return`` statements return
    values of types TorchScript cannot unify: a Tensor and a number (``return 0`` as a
    fallback), an ``int`` and a ``float``, a ``bool`` and an ``int``, tuples of different
    lengths or element types, a tuple and a Tensor, ``List[int]`` and ``List[float]``...

    ## Why is this bad?
    TorchScript gives every function one static return type, taken from the first
    ``return`` and unified with the others: "Previous return statement returned a value of
    type Tensor but this return statement returns a value of type int". Only ``None`` mixes
    with anything (the result becomes ``Optional[...]``), so ``return None`` in one branch is
    fine. Only types known for sure are compared (literals, parameters, shape arithmetic,
    well-known torch functions), so unknown calls are never reported.

    ## Example
    ```python
    def fn(x: torch.Tensor, flag: bool):
        if flag:
            return x
        return 0
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor, flag: bool):
        if flag:
            return x
        return torch.zeros_like(x)
    ```

    ## Fix safety
    No automatic fix: choosing the common type (a tensor, a float) changes what callers
    receive.
    """

    code = "JIT111"
    name = "inconsistent-return-type"
    message = "return statements return values of different types"
    evidence = ("s022", "s023")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool):
                if flag:
                    return x
                return 0  # MARK
            """,
            inputs="[(torch.ones(3), True)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool):
                n = x.size(0)
                if flag:
                    return n
                return n / 2  # MARK
            """,
            inputs="[(torch.ones(4), True)]",
        ),
        Example(
            """
            import torch

            class Net(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = torch.nn.Linear(3, 3)

                def forward(self, x: torch.Tensor, flag: bool):
                    y = self.fc(x)
                    if flag:
                        return y, x.dim()
                    return y, 1.0  # MARK
            """,
            root="Net",
            inputs="[(torch.ones(3), True)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool):
                if flag:
                    return None
                return x
            """,
            inputs="[(torch.ones(3), True), (torch.ones(3), False)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool):
                if flag:
                    return x.max()
                return torch.zeros_like(x).sum()
            """,
            inputs="[(torch.ones(3), True), (torch.ones(3), False)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool):
                if flag:
                    return x.item()
                return 1.0
            """,
            inputs="[(torch.ones(1), True), (torch.ones(1), False)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool):
                if flag:
                    return x, None
                return x, x
            """,
            inputs="[(torch.ones(3), True), (torch.ones(3), False)]",
        ),
        Example(
            """
            import torch

            class Net(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layer = torch.nn.Linear(3, 3)
                    self.extra = None

                def forward(self, x: torch.Tensor):
                    if self.extra is not None:
                        return 0
                    return [self.layer(x)]
            """,
            root="Net",
        ),
    ]

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        if fn.returns is None:
            ctx.scratch[self.code] = {"returns": [], "folded": False}

    def visit_Return(self, node: cst.Return, ctx) -> None:
        state = ctx.scratch.get(self.code)
        if state is None:
            return
        # a return under a test the compiler may fold (`isinstance`, `is None` on attributes,
        # `hasattr`...) may never be emitted, and neither may the code after it
        folded = state["folded"] or any(maybe_folded(test, ctx) for test in ctx.conditions)
        state["folded"] = folded
        if node.value is not None:
            state["returns"].append((node, folded))

    def function_end(self, fn: cst.FunctionDef, ctx) -> None:
        state = ctx.scratch.get(self.code)
        if state is None or len(state["returns"]) < 2:
            return
        seen = []
        for node, folded in state["returns"]:
            cat = confident_type(node.value, ctx)
            if cat is None or cat == "None":
                continue
            for earlier, earlier_folded in seen:
                if conflict(earlier, cat) and not folded and not earlier_folded:
                    ctx.report(node, f"this `return` gives {article(cat)} but an earlier `return` gives "
                                     f"{article(earlier)}: torch.jit.script needs one return type (only `None` "
                                     f"mixes with others); return the same type on every path")
                    return
            seen.append((cat, folded))
