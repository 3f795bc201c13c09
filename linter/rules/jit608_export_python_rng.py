import libcst as cst

from ..analysis.tracing import head_target
from .base import EXPORT, Example, Rule

_NOT_DRAWS = frozenset({"seed", "getstate", "setstate", "Random", "RandomState", "default_rng", "SeedSequence",
                        "get_state", "set_state"})


class ExportPythonRng(Rule):
    """
    ## What it does
    Flags calls of Python's ``random`` module and of ``numpy.random`` in code
    ``torch.export.export`` runs.

    ## Why is this bad?
    Export records Tensor operations only: the number drawn while exporting becomes a constant
    of the exported program, which then uses the same "random" value on every call (torch 2.13,
    non-strict; no error or warning). Torch's RNG ops (``torch.rand``, ``F.dropout``) are
    exported as operations and stay random.

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
    No fix: the torch RNG draws a different stream.
    """

    code = "JIT608"
    name = "export-python-rng"
    message = "A Python/NumPy random number is frozen into the exported program"
    mode = EXPORT

    INVALID = [
        Example(
            """
            import random

            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    return x * random.random()  # MARK
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 5),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import random

            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    random.seed(0)
                    self.scale = random.random()

                def forward(self, x):
                    return x * torch.rand(()) * self.scale
            """,
            root="M", mode=EXPORT, expect="export-diverges",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 5),)]",
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
        if fn in _NOT_DRAWS or ctx.function is None or ctx.function.name == "__init__":
            return
        ctx.report(node, f"`{qual}()` draws from {lib} while exporting: the value becomes a constant of the "
                         f"exported program, repeated on every call. Use torch's RNG ops (`torch.rand`...)")
