import libcst as cst

from ..analysis.trace_dims import STATE
from ..analysis.tracing import head_target
from .base import TRACE, Example, Rule

_TORCH_EQUIVALENT = {
    "random": "`torch.rand(())`", "uniform": "`torch.empty(()).uniform_(a, b)`",
    "randint": "`torch.randint(low, high, ())`", "choice": "`torch.randint` to index", "shuffle": "`torch.randperm`",
    "sample": "`torch.randperm(n)[:k]`", "gauss": "`torch.randn(())`", "normalvariate": "`torch.randn(())`",
    "rand": "`torch.rand`", "randn": "`torch.randn`", "permutation": "`torch.randperm`",
    "normal": "`torch.normal`", "random_sample": "`torch.rand`",
}


class PythonRng(Rule):
    """
    ## What it does
    Flags calls of Python's ``random`` module and of ``numpy.random`` in code that runs while
    ``torch.jit.trace`` traces (``forward`` and what it calls).

    ## Why is this bad?
    The tracer only records Tensor operations: the random number drawn while tracing becomes a
    constant of the trace, so the traced model uses the same "random" value on every call. The
    default ``check_trace=True`` notices the difference between its repeated runs and fails
    ("Tracing failed sanity checks! ... Graphs differed across invocations"); with
    ``check_trace=False`` the traced model is silently deterministic. Torch's own RNG ops
    (``torch.rand``, ``torch.randint``, ``F.dropout``) are recorded and stay random.

    ## Example
    ```python
    def forward(self, x):
        return x * random.random()
    ```

    ## Use instead
    ```python
    def forward(self, x):
        return x * torch.rand(())
    ```

    ## Fix safety
    No automatic fix: torch's RNG is a different random stream (seeded with ``torch.manual_seed``),
    so results change even for a fixed seed.
    """

    code = "JIT309"
    name = "python-rng"
    message = "Python/NumPy random numbers are frozen into the trace"
    mode = TRACE
    varies = (STATE,)
    evidence = ("t016", "t017")

    INVALID = [
        Example(
            """
            import random
            import torch

            def fn(x):
                return x * random.random()  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2),)]",
        ),
        Example(
            """
            import numpy as np
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    return x * float(np.random.rand())  # MARK
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2),)]",
        ),
        Example(
            """
            from random import randint
            import torch

            def fn(x):
                k = randint(1, 1000)  # MARK
                return x + k
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import random
            import torch

            SEED = random.Random(0)

            def fn(x):
                return x * torch.rand(()) + torch.randint(0, 10, (1,)) + torch.rand_like(x)
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(2),), (torch.ones(3),)]",
        ),
        Example(
            """
            import random
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.shift = random.random() * 0

                def forward(self, x):
                    return nn.functional.dropout(x, 0.5, training=True) + self.shift
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(4),), (torch.ones(6),)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return
        head = head_target(func, ctx)
        if head is None or not head.startswith(("random", "numpy")):
            return
        qual = ctx.resolve(func)
        if qual is None:
            return
        if qual.startswith("random."):
            lib, fn = "random", qual[7:]
        elif qual.startswith("numpy.random."):
            lib, fn = "numpy.random", qual[13:]
        else:
            return
        if fn in ("seed", "getstate", "setstate", "Random", "RandomState", "default_rng", "SeedSequence", "get_state",
                  "set_state"):
            return
        hint = _TORCH_EQUIVALENT.get(fn.rsplit(".", 1)[-1], "torch's RNG ops")
        ctx.report(node, f"`{qual}()` draws from {lib} while tracing: the value is frozen into the trace, so the "
                         f"traced model repeats it on every call (tracing fails its sanity check unless "
                         f"`check_trace=False`). Use {hint}")
