import libcst as cst

from ..analysis.typecheck.torchscript import return_mismatch
from .base import Example, Rule


class ReturnAnnotationMismatch(Rule):
    """
    ## What it does
    Flags a ``return`` whose value certainly does not have the function's annotated return
    type under TorchScript's rules: ``-> float`` returning an int (``return 0``), ``-> str``
    returning ``None``, ``-> Tensor`` returning an int, ``-> List[Optional[int]]`` returning a
    ``List[int]`` variable (containers are invariant), ``-> Tuple[Tensor, float]`` returning
    ``(x, 1)``, a list literal whose elements do not fit.

    ## Why is this bad?
    TorchScript checks every return against the annotation ("Return value was annotated as
    having type float but is actually of type int") and converts only a Tensor, a Scalar
    (``x.item()``) or a bool to ``int``/``float``; an int is never a float. Python ignores the
    annotation, so the code runs eagerly and fails when it is scripted.

    ## Example
    ```python
    def ratio(x: torch.Tensor) -> float:
        if x.numel() == 0:
            return 0
        return x.sum().item() / x.numel()
    ```

    ## Use instead
    ```python
    def ratio(x: torch.Tensor) -> float:
        if x.numel() == 0:
            return 0.0
        return x.sum().item() / x.numel()
    ```

    ## Fix safety
    No automatic fix: the annotation may be what is wrong.
    """

    code = "JIT157"
    name = "return-annotation-mismatch"
    message = "the returned value does not have the annotated return type"

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> float:
                if x.numel() == 0:
                    return 0  # MARK
                return x.sum().item() / x.numel()
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> str:
                return None  # MARK
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x.size(0)  # MARK
            """
        ),
        Example(
            """
            from typing import List, Optional
            import torch

            def fn(x: torch.Tensor) -> List[Optional[int]]:
                a = [1, 2]
                return a  # MARK
            """
        ),
        Example(
            """
            from typing import Tuple
            import torch

            def fn(x: torch.Tensor) -> Tuple[torch.Tensor, float]:
                return x, 1  # MARK
            """
        ),
    ]
    VALID = [
        Example(
            """
            from typing import List, Optional, Tuple
            import torch

            def helper(x: torch.Tensor) -> int:
                return x.dim() > 2

            def mean(x: torch.Tensor) -> float:
                return x.sum().item()

            def opt(n: int) -> Optional[int]:
                if n > 0:
                    return None
                return n

            def items() -> List[Optional[int]]:
                return [1, 2]

            def fn(x: torch.Tensor) -> Tuple[torch.Tensor, float]:
                n = opt(helper(x))
                k = 0 if n is None else n
                return x * k, mean(x) + len(items())
            """,
        ),
    ]

    def visit_Return(self, node: cst.Return, ctx) -> None:
        fn = ctx.function
        if node.value is None or fn is None or fn.node.returns is None:
            return
        found = return_mismatch(fn.node.returns, node.value, ctx)
        if found is None:
            return
        annotated, actual = found
        ctx.report(node, f"`{fn.name}` is annotated to return `{annotated}` but this returns a `{actual}`, which "
                         f"torch.jit.script rejects (\"Return value was annotated as having type {annotated} but is "
                         f"actually of type {actual}\"): TorchScript converts only a Tensor, a Scalar or a bool to "
                         f"int/float; return a value of the annotated type or change the annotation")
