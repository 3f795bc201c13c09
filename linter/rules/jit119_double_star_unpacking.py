import libcst as cst

from ..analysis.types import kind
from .base import Example, Rule


class DoubleStarUnpacking(Rule):
    """
    ## What it does
    Flags ``**`` unpacking in compiled code: keyword-argument expansion in a call (``f(**d)``,
    ``dict(**d)``) and dict expansion in a dict display (``{**d}``, ``{"k": 1, **d}``).

    ## Why is this bad?
    TorchScript's frontend rejects both: "keyword-arg expansion is not supported" and "Dict
    expansion (e.g. `{**dict}`) is not supported" (a display mixing keys and ``**d`` even
    crashes the frontend with an ``AttributeError``). Being frontend errors, they fire even
    inside an ``if not torch.jit.is_scripting():`` block. ``dict(a=1)`` (keywords without
    ``**``), ``dict(d)`` and ``d.copy()`` are supported.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        d = {"k": 2.0}
        return scale(x, **d)

    def merged(d: Dict[str, int]) -> Dict[str, int]:
        return {**d}
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        d = {"k": 2.0}
        return scale(x, k=d["k"])

    def merged(d: Dict[str, int]) -> Dict[str, int]:
        return d.copy()
    ```

    ## Fix safety
    ``{**d}`` alone, with ``d`` known to be a ``Dict``, is replaced by ``d.copy()``: a shallow
    copy either way, so the fix is safe. Keyword expansion in calls has no automatic fix (the
    keys are only known at run time).
    """

    code = "JIT119"
    name = "double-star-unpacking"
    message = "`**` unpacking is not supported by torch.jit.script"
    frontend = True
    fix_safety = "safe"
    evidence = ("s105", "s229")

    INVALID = [
        Example(
            """
            import torch

            def scale(a: torch.Tensor, k: float = 1.0) -> torch.Tensor:
                return a * k

            def fn(x: torch.Tensor) -> torch.Tensor:
                d = {"k": 2.0}
                return scale(x, **d)  # MARK
            """,
        ),
        Example(
            """
            from typing import Dict
            import torch

            def fn(d: Dict[str, int]) -> Dict[str, int]:
                return {**d}  # MARK
            """,
            inputs="[({'a': 1},)]",
        ),
        Example(
            """
            from typing import Dict
            import torch

            def fn(x: torch.Tensor, d: Dict[str, int]) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    d = dict(**d)  # MARK
                return x + len(d)
            """,
            inputs="[(torch.ones(3), {'a': 1})]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Dict
            import torch

            def scale(a: torch.Tensor, k: float = 1.0) -> torch.Tensor:
                return a * k

            def fn(x: torch.Tensor) -> torch.Tensor:
                d = {"k": 2.0}
                return scale(x, k=d["k"])
            """,
        ),
        Example(
            """
            from typing import Dict
            import torch

            def fn(d: Dict[str, int]) -> Dict[str, int]:
                e = d.copy()
                e.update(dict(a=1))
                return dict(e)
            """,
            inputs="[({'b': 2},)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        for arg in node.args:
            if arg.star == "**":
                ctx.report(arg, "keyword-argument expansion `**` in a call is not supported by torch.jit.script: "
                                "pass the keywords explicitly")

    def visit_Dict(self, node: cst.Dict, ctx) -> None:
        for el in node.elements:
            if isinstance(el, cst.StarredDictElement):
                fix = None
                if len(node.elements) == 1 and kind(ctx.type_of(el.value)) == "dict":
                    value = ctx.code_of(el.value)
                    if not isinstance(el.value, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):
                        value = f"({value})"
                    fix = ctx.safe_fix(f"Replace with `{value}.copy()`", [(node, f"{value}.copy()")])
                ctx.report(node, "dict expansion `{**...}` is not supported by torch.jit.script: "
                                 "use `d.copy()` and `update(...)`", fix=fix)
                return
