import libcst as cst

from .base import Example, Rule


class AnnotationWithoutValue(Rule):
    """
    ## What it does
    Flags an annotated name without a value (``n: int``, ``xs: List[int]``) in code that
    ``torch.jit.script`` compiles.

    ## Why is this bad?
    TorchScript's frontend has no declaration without a value: it rejects the function
    ("annotated assignments without assigned value aren't supported"), even inside
    ``if not torch.jit.is_scripting():``, because the whole function is parsed first. Eager
    Python ignores the line, so the model runs until someone scripts it.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        n: int
        n = x.size(0)
        return x * n
    ```

    ## Use instead
    Annotate the first assignment:
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        n: int = x.size(0)
        return x * n
    ```

    ## Fix safety
    No automatic fix: where the annotation should go (which assignment comes first on every
    path) depends on the control flow, and dropping it can change the type the compiler
    infers for the later assignment (an empty list becomes ``List[Tensor]``).
    """

    code = "JIT147"
    name = "annotation-without-value"
    message = "an annotated name without a value is not supported by torch.jit.script"
    frontend = True

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                n: int  # MARK
                n = x.size(0)
                return x * n
            """
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    xs: List[int]  # MARK
                return x
            """
        ),
    ]
    VALID = [
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                n: int = x.size(0)
                xs: List[int] = []
                xs.append(n)
                return x * xs[0]
            """
        ),
    ]

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        if node.value is None:
            target = ctx.code_of(node.target)
            ctx.report(node, f"`{target}: {ctx.code_of(node.annotation.annotation)}` declares a type without a "
                             f"value, which torch.jit.script rejects (\"annotated assignments without assigned "
                             f"value aren't supported\"): annotate the first assignment instead "
                             f"(`{target}: ... = value`)")
