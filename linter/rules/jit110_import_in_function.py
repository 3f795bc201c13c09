import libcst as cst

from .base import Example, Rule


class ImportInFunction(Rule):
    """
    ## What it does
    Flags ``import`` and ``from ... import`` statements inside functions that
    ``torch.jit.script`` compiles (lazy imports in ``forward`` or its helpers).

    ## Why is this bad?
    The TorchScript frontend rejects import statements ("import statements aren't
    supported"), even inside ``if not torch.jit.is_scripting():``: the names a compiled
    function uses must already be bound at module level when it is compiled.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        import math
        return x * math.pi
    ```

    ## Use instead
    ```python
    import math

    def fn(x: torch.Tensor) -> torch.Tensor:
        return x * math.pi
    ```

    ## Fix safety
    No automatic fix: moving the import to module level is usually safe, but imports are put
    in functions on purpose (optional dependencies, import cycles, start-up time).
    """

    code = "JIT110"
    name = "import-in-function"
    message = "import statements are not supported inside functions compiled by torch.jit.script"
    frontend = True
    evidence = ("s029",)

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                import math  # MARK
                return x * math.pi
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    from math import pi  # MARK
                    x = x * pi
                return x
            """
        ),
    ]
    VALID = [
        Example(
            """
            import math
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x * math.pi
            """
        ),
        Example(
            """
            import torch
            from torch.nn.functional import relu

            def fn(x: torch.Tensor) -> torch.Tensor:
                return relu(x)
            """
        ),
    ]

    def visit_Import(self, node: cst.Import, ctx) -> None:
        ctx.report(node, "`import` inside a compiled function is not supported by torch.jit.script: "
                         "move it to module level")

    def visit_ImportFrom(self, node: cst.ImportFrom, ctx) -> None:
        ctx.report(node, "`from ... import` inside a compiled function is not supported by torch.jit.script: "
                         "move it to module level")
