import libcst as cst

from ..analysis.trace_dims import TRAINING
from .base import TRACE, Example, Rule


def _is_self_training(node: cst.BaseExpression) -> bool:
    return (isinstance(node, cst.Attribute) and node.attr.value == "training" and isinstance(node.value, cst.Name)
            and node.value.value == "self")


def _reads_training(test: cst.BaseExpression) -> bool:
    stack = [test]
    while stack:
        node = stack.pop()
        if _is_self_training(node):
            return True
        if isinstance(node, cst.BooleanOperation):
            stack.extend((node.left, node.right))
        elif isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            stack.append(node.expression)
        elif isinstance(node, cst.Comparison):
            stack.append(node.left)
            stack.extend(c.comparator for c in node.comparisons)
    return False


_MODE_MODULES = frozenset({
    "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout",
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm",
})


class TrainingModeBranch(Rule):
    """
    ## What it does
    Flags Python branches on ``self.training`` (``if self.training:``, ``x if self.training else
    y``), ``training=self.training`` arguments (``F.dropout(x, p, training=self.training)``) and
    calls of ``nn.Dropout``/``nn.BatchNorm*`` submodules in code that runs while
    ``torch.jit.trace`` traces. Opt-in (``--extend-select JIT313``):
    tracing a model in eval mode (``model.eval()`` first) is the norm, and then these branches
    are traced correctly for inference. The other trace rules assume eval mode too: they do not
    look into ``if self.training:`` bodies nor past ``if not self.training: return x``.

    ## Why is this bad?
    ``self.training`` is read once, while tracing: the trace contains only the branch of the mode
    the module was in. A model traced in training mode keeps dropout, noise or train-only paths
    after ``traced.eval()`` (and the other way round), silently, with no ``TracerWarning``.

    ## Example
    ```python
    def forward(self, x):
        if self.training:
            x = x + torch.randn_like(x) * 0.1
        return F.dropout(x, 0.5, training=self.training)
    ```

    ## Use instead
    Call ``model.eval()`` (or ``model.train()``) before ``torch.jit.trace`` and trace one model
    per mode you need; the code itself can stay as it is.

    ## Fix safety
    No automatic fix: the fix is in how the model is traced, not in its code.
    """

    code = "JIT313"
    name = "training-mode-branch"
    message = "a branch on self.training is frozen to the mode the module was traced in"
    mode = TRACE
    varies = (TRAINING,)
    default = False
    evidence = ("t028",)

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    if self.training:  # MARK
                        return x * 2
                    return x

            def check(traced, make):
                eager = make().eval()
                traced.eval()
                return not torch.equal(traced(torch.ones(2)), eager(torch.ones(2)))
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2),)]", check="check",
        ),
        Example(
            """
            import torch
            import torch.nn.functional as F
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    return F.dropout(x, 0.5, training=self.training)  # MARK

            def check(traced, make):
                eager = make().eval()
                traced.eval()
                torch.manual_seed(0)
                return not torch.equal(traced(torch.ones(8)), eager(torch.ones(8)))
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(8),)]", check="check",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.bn = nn.BatchNorm1d(2)

                def forward(self, x):
                    return self.bn(x) * 2  # MARK

            def check(traced, make):
                eager = make().eval()
                traced.eval()
                x = torch.arange(6.0).view(3, 2)
                return not torch.allclose(traced(x), eager(x))
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.randn(4, 2),)]", check="check",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            import torch.nn.functional as F
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.proj = nn.Linear(8, 8)
                    self.use_scale = True

                def forward(self, x):
                    if self.use_scale:
                        x = x * 2
                    return F.dropout(self.proj(x), 0.0, training=False)

            def check(traced, make):
                eager = make().eval()
                traced.eval()
                return not torch.equal(traced(torch.ones(8)), eager(torch.ones(8)))
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(8),)]", check="check",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.norm = nn.LayerNorm(2)
                    self.gn = nn.GroupNorm(1, 2)

                def forward(self, x):
                    return self.gn(self.norm(x)) * 2

            def check(traced, make):
                eager = make().eval()
                traced.eval()
                x = torch.arange(6.0).view(3, 2)
                return not torch.allclose(traced(x), eager(x))
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.randn(4, 2),)]", check="check",
        ),
    ]

    def _test(self, test: cst.BaseExpression, ctx) -> None:
        if _reads_training(test):
            ctx.report(test, f"`{ctx.code_of(test)}` is read once while tracing: the trace keeps only the branch of the "
                             f"mode the module was traced in (`.eval()`/`.train()` on the traced model changes "
                             f"nothing). Call `model.eval()` before `torch.jit.trace`")

    def visit_If(self, node: cst.If, ctx) -> None:
        self._test(node.test, ctx)

    def visit_IfExp(self, node: cst.IfExp, ctx) -> None:
        self._test(node.test, ctx)

    def visit_While(self, node: cst.While, ctx) -> None:
        self._test(node.test, ctx)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self"):
            return
        t = ctx.type_of(func)
        if not (isinstance(t, tuple) and t[0] == "module" and isinstance(t[1], str)):
            return
        cls = t[1].rsplit(".", 1)[-1]
        if t[1].startswith("torch.nn.") and cls in _MODE_MODULES:
            ctx.report(node, f"`self.{func.attr.value}` is an `nn.{cls}`, which behaves differently in training "
                             f"and eval mode: the trace keeps the mode the module was traced in. Call "
                             f"`model.eval()` before `torch.jit.trace`")

    def visit_Arg(self, node: cst.Arg, ctx) -> None:
        if node.keyword is not None and node.keyword.value == "training" and _is_self_training(node.value):
            ctx.report(node, "`training=self.training` is read once while tracing: the traced op stays in the mode "
                             "the module was traced in (dropout keeps dropping after `.eval()`). Call `model.eval()` "
                             "before `torch.jit.trace`")
