import libcst as cst

from ..analysis.typecheck.torchscript import assignment_mismatch
from .base import Example, Rule


class AnnotatedValueMismatch(Rule):
    """
    ## What it does
    Flags an annotated local whose value TorchScript's type rules do not accept for the
    annotation: ``y: str = 4``, ``z: float = 4`` (an int is not a float in TorchScript),
    ``b: int = True``, ``s: str = None``, ``v: float = x.item()`` (a Scalar), a list or dict
    whose elements do not fit (``List[float] = [1, 2]``, ``List[int] = [1, 2.0]``), a
    ``List[int]`` variable assigned to ``List[Optional[int]]`` (containers are invariant),
    a tuple with an element of another type. Checked only where the value's type is certain.

    ## Why is this bad?
    The compiler types the value first (with the annotation as a hint for list, dict and
    tuple literals) and then requires it to be a subtype of the annotation: "Variable 'z' is
    annotated with type float but is being assigned to a value of type int", "List type
    annotation `List[float]` did not match the types of the given list elements". Python does
    not check annotations at all, so the model runs in eager mode until someone scripts it.
    ``Optional[int] = 4``, ``List[Optional[int]] = [1, 2]`` and ``Dict[str, Optional[int]] =
    {"a": 1}`` compile: a literal's elements only need to fit the element type.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        scale: float = 2
        return x * scale
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        scale: float = 2.0
        return x * scale
    ```

    ## Fix safety
    No automatic fix: whether the annotation or the value is wrong is the author's call.
    """

    code = "JIT148"
    name = "annotated-value-mismatch"
    message = "the value of this annotated local does not have the annotated TorchScript type"

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                y: str = 4  # MARK
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n: int) -> torch.Tensor:
                scale: float = n * 2  # MARK
                return x * scale
            """,
            inputs="[(torch.ones(3), 2)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                for i in range(3):
                    z: bool = 1  # MARK
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                s: str = None  # MARK
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                v: float = x.sum().item()  # MARK
                return x * v
            """
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                a: List[int] = [1, 2.0]  # MARK
                return x
            """
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                a: List[float] = [1, 2]  # MARK
                return x * a[0]
            """
        ),
        Example(
            """
            from typing import List, Optional
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                a: List[int] = [1, 2]
                b: List[Optional[int]] = a  # MARK
                return x
            """
        ),
        Example(
            """
            from typing import Dict
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                d: Dict[str, float] = {"a": 1}  # MARK
                return x
            """
        ),
        Example(
            """
            from typing import Tuple
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                t: Tuple[int, float] = (1, 2)  # MARK
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                t: torch.Tensor = 1  # MARK
                return x + t
            """
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Dict, List, Optional, Tuple, Union
            import torch

            def fn(x: torch.Tensor, n: int) -> torch.Tensor:
                a: Optional[int] = 4
                b: List[Optional[int]] = [1, None]
                c: List[Optional[int]] = [1, 2]
                d: Dict[str, Optional[int]] = {"a": 1}
                e: Optional[torch.Tensor] = x
                f: Union[int, str] = 4
                g: List[int] = []
                h: Tuple[int, Optional[int]] = (1, 2)
                i: float = 2.0 * n
                j: str = f"{n}"
                k: bool = n > 2
                m: List[torch.Tensor] = [x, x + 1]
                p: int = x.size(0)
                return x * p
            """,
            inputs="[(torch.ones(3), 2)]",
        ),
    ]

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        if node.value is None or not isinstance(node.target, cst.Name):
            return  # `self.x: T = v` in __init__ is typed by Python-side inference, not checked here
        found = assignment_mismatch(node.annotation, node.value, ctx)
        if found is None:
            return
        annotated, actual = found
        name = node.target.value
        ctx.report(node, f"`{name}` is annotated `{annotated}` but its value is of type `{actual}`, which "
                         f"torch.jit.script rejects (\"Variable '{name}' is annotated with type {annotated} but "
                         f"is being assigned to a value of type ...\"): TorchScript converts nothing here "
                         f"(an int is not a float, a List[int] is not a List[Optional[int]]); change the "
                         f"value or the annotation")
