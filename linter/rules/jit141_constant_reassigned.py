

from ..analysis.constants import class_constants
from ..analysis.syntax import self_targets
from .base import Example, Rule


class ConstantReassigned(Rule):
    """
    ## What it does
    Flags assignments, in a compiled method of an ``nn.Module``, to an attribute the class
    declares constant: listed in ``__constants__`` or annotated ``Final``.

    ## Why is this bad?
    TorchScript turns constants into literals in the compiled code, so they cannot be set:
    ``torch.jit.script`` rejects the module with the misleading "Tried to set nonexistent
    attribute: k. Did you forget to initialize it in __init__()?", although ``__init__`` did
    set it.

    ## Example
    ```python
    class M(nn.Module):
        __constants__ = ["k"]

        def __init__(self):
            super().__init__()
            self.k = 2

        def forward(self, x):
            self.k = 3
            return x * self.k
    ```

    ## Use instead
    Remove the name from ``__constants__`` (or drop the ``Final``) if it must change, or stop
    assigning it in compiled code.

    ## Fix safety
    No automatic fix: whether the value should stay constant is a design decision.
    """

    code = "JIT141"
    name = "constant-reassigned"
    message = "a module constant is assigned in compiled code"
    evidence = ("s429",)

    INVALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                __constants__ = ["k"]

                def __init__(self):
                    super().__init__()
                    self.k = 2

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    self.k = 3  # MARK
                    return x * self.k
            """,
            root="M",
        ),
        Example(
            """
            from typing import Final
            import torch

            class M(torch.nn.Module):
                k: Final[int]

                def __init__(self):
                    super().__init__()
                    self.k = 2

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    self.k += 1  # MARK
                    return x * self.k
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Final
            import torch

            class M(torch.nn.Module):
                __constants__ = ["k"]
                scale: Final[float] = 2.0

                def __init__(self):
                    super().__init__()
                    self.k = 2
                    self.count = 0

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    self.count += 1
                    return x * self.k * self.scale + self.count
            """,
            root="M",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.k = 2

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    self.k = 3
                    return x * self.k
            """,
            root="M",
        ),
    ]

    def visit_Assign(self, node, ctx) -> None:
        self._check(node, ctx)

    def visit_AugAssign(self, node, ctx) -> None:
        self._check(node, ctx)

    def visit_AnnAssign(self, node, ctx) -> None:
        self._check(node, ctx)

    def _check(self, node, ctx) -> None:
        fn = ctx.function
        if fn is None or fn.class_node is None or not fn.is_method or not fn.params or fn.name == "__init__":
            return
        self_name = fn.params[0].name
        targets = list(self_targets(node, self_name))
        if not targets:
            return
        constants = class_constants(fn.class_node, ctx)
        if not constants:
            return
        class_id = fn.id.rsplit(".", 1)[0]
        for target, attr in targets:
            if attr in constants:
                ctx.report(target, f"`{self_name}.{attr}` is a constant of the module (`__constants__`/`Final`) and "
                                   f"cannot be assigned in compiled code (torch.jit.script reports \"Tried to set "
                                   f"nonexistent attribute: {attr}\"): stop assigning it, or make it a plain attribute",
                           requires=(("module", class_id),))
