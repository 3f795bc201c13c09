import libcst as cst

from jitlint.linter.rules.base import Example, Rule


class Walrus(Rule):
    """
    ## What it does
    Flags assignment expressions (the walrus operator ``:=``) in code that
    ``torch.jit.script`` compiles.

    ## Why is this bad?
    The TorchScript frontend predates PEP 572 and rejects the node ("NamedExpr aren't
    supported"), even inside ``if not torch.jit.is_scripting():``.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        if (n := x.numel()) > 2:
            return x * n
        return x
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        n = x.numel()
        if n > 2:
            return x * n
        return x
    ```

    ## Fix safety
    No automatic fix: hoisting the assignment into its own statement is only equivalent when
    the walrus is evaluated first and unconditionally (not after a short-circuiting operand,
    in a loop condition, an ``elif`` or a comprehension), which needs a look at the code.
    """

    code = "JIT109"
    name = "walrus"
    message = "assignment expressions (`:=`) are not supported by torch.jit.script"
    frontend = True
    evidence = ("s019",)

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if (n := x.numel()) > 2:  # MARK
                    return x * n
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                i = 0
                while (j := i + 1) < 3:  # MARK
                    i = j
                return x * i
            """
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                n = x.numel()
                if n > 2:
                    return x * n
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int = 2) -> torch.Tensor:
                return x * n
            """
        ),
    ]

    def visit_NamedExpr(self, node: cst.NamedExpr, ctx) -> None:
        target = node.target.value if isinstance(node.target, cst.Name) else "..."
        ctx.report(node, f"assignment expression `{target} := ...` is not supported by torch.jit.script: "
                         f"assign `{target}` in its own statement first")
