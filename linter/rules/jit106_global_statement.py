import libcst as cst

from .base import Example, Rule


class GlobalStatement(Rule):
    """
    ## What it does
    Flags ``global`` (and ``nonlocal``) statements in code that ``torch.jit.script`` compiles.

    ## Why is this bad?
    TorchScript functions cannot read or write Python module state: the frontend rejects the
    statement itself ("global variables aren't supported"), even inside
    ``if not torch.jit.is_scripting():``. Even without the statement, merely *reading* a
    module-level Python value is rejected (see ``module-global-read``).

    ## Example
    ```python
    COUNTER = 0

    def fn(x: torch.Tensor) -> torch.Tensor:
        global COUNTER
        COUNTER += 1
        return x + COUNTER
    ```

    ## Use instead
    Keep mutable state on the module (a buffer or an attribute) or pass it in and out:
    ```python
    class Counter(nn.Module):
        def __init__(self):
            super().__init__()
            self.count = 0

        def forward(self, x):
            self.count += 1
            return x + self.count
    ```

    ## Fix safety
    No automatic fix: where the state lives is a design decision, and writes to the global
    would be lost.
    """

    code = "JIT106"
    name = "global-statement"
    message = "`global` statements are not supported by torch.jit.script"
    frontend = True
    evidence = ("s012",)

    INVALID = [
        Example(
            """
            import torch

            COUNTER = 0

            def fn(x: torch.Tensor) -> torch.Tensor:
                global COUNTER  # MARK
                COUNTER += 1
                return x + COUNTER
            """
        ),
        Example(
            """
            import torch

            CALLS = 0

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    global CALLS  # MARK
                    CALLS = CALLS + 1
                return x + 1
            """
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            class Counter(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.count = 0

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    self.count += 1
                    return x + 1
            """,
            root="Counter",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, count: int) -> torch.Tensor:
                count += 1
                return x + count
            """,
            inputs="[(torch.ones(3), 2)]",
        ),
    ]

    def visit_Global(self, node: cst.Global, ctx) -> None:
        names = ", ".join(n.name.value for n in node.names)
        ctx.report(node, f"`global {names}` is not supported by torch.jit.script: keep the state on the module "
                         f"or pass it in and out explicitly")

    def visit_Nonlocal(self, node: cst.Nonlocal, ctx) -> None:
        names = ", ".join(n.name.value for n in node.names)
        ctx.report(node, f"`nonlocal {names}` is not supported by torch.jit.script")
