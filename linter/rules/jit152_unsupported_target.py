from typing import Optional

import libcst as cst

from ..analysis.typecheck.certain import confident_type
from .base import Example, Rule


def _immutable(value: cst.BaseExpression, ctx) -> Optional[str]:
    """'Tuple[...]' or 'str' when the subscripted value certainly is one."""
    t = confident_type(value, ctx)
    if t == "str":
        return "str"
    if isinstance(t, tuple) and t[0] == "tuple":
        return "tuple"
    return None


class UnsupportedTarget(Rule):
    """
    ## What it does
    Flags ``del`` and assignment targets TorchScript cannot compile: ``del`` of a slice or of
    several indices (``del xs[0:2]``, ``del d[a, b]``), ``del`` of an attribute
    (``del self.cache``), and assignment or augmented assignment to an element of a tuple or
    a str (``t[0] += 1``, ``t[0] = x``), where the value's type is certain.

    ## Why is this bad?
    The compiler deletes only one list or dict item at a time or a variable ("del statements
    only support deletion at a single index, slicing is not supported", "del statements are
    only supported for deleting list and dict items and variables"). Tuples and strs are
    immutable in TorchScript as in Python, so ``t[0] += 1`` is rejected ("Tuple[Tensor,
    Tensor] does not support augmented assignment", "... does not support subscripted
    assignment") even where eager Python would only fail on the line at run time, e.g. in
    a branch tests never take. ``del xs[i]``, ``del d[k]`` and ``xs[i] += 1`` on lists compile.

    ## Example
    ```python
    def fn(xs: List[int]) -> List[int]:
        del xs[0:2]
        return xs
    ```

    ## Use instead
    ```python
    def fn(xs: List[int]) -> List[int]:
        return xs[2:]
    ```

    ## Fix safety
    No automatic fix: a slice deletion mutates the list in place (other references see it),
    which a rebinding such as ``xs = xs[2:]`` does not.
    """

    code = "JIT152"
    name = "unsupported-target"
    message = "torch.jit.script cannot compile this del or assignment target"

    INVALID = [
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                xs: List[int] = [1, 2, 3]
                del xs[0:2]  # MARK
                return x * len(xs)
            """
        ),
        Example(
            """
            import torch

            class Net(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.k = 2

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    del self.k  # MARK
                    return x
            """,
            root="Net",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                t = (x, x)
                t[0] += 1  # MARK
                return t[0]
            """
        ),
        Example(
            """
            from typing import Tuple
            import torch

            def fn(x: torch.Tensor, t: Tuple[int, int]) -> torch.Tensor:
                t[0] = 1  # MARK
                return x
            """,
            inputs="[(torch.ones(3), (1, 2))]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Dict, List
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                xs: List[int] = [1, 2, 3]
                del xs[0]
                xs[0] += 1
                d: Dict[str, int] = {"a": 1, "b": 2}
                del d["a"]
                y = x + 1
                del y
                return x * len(xs) * xs[0]
            """
        ),
    ]

    def visit_Del(self, node: cst.Del, ctx) -> None:
        targets = node.target.elements if isinstance(node.target, cst.Tuple) else (node.target,)
        for t in targets:
            target = t.value if isinstance(t, cst.Element) else t
            if isinstance(target, cst.Subscript):
                if any(isinstance(el.slice, cst.Slice) for el in target.slice):
                    ctx.report(node, "`del` of a slice is not supported by torch.jit.script "
                                     "(\"del statements only support deletion at a single index, slicing is not "
                                     "supported\"): delete one index at a time or rebuild the list "
                                     "(`xs = xs[:i] + xs[j:]`)")
                    return
            elif isinstance(target, cst.Attribute):
                ctx.report(node, f"`del {ctx.code_of(target)}` is not supported by torch.jit.script (\"del "
                                 f"statements are only supported for deleting list and dict items and "
                                 f"variables\")")
                return

    def _check(self, node, target: cst.BaseExpression, ctx, what: str) -> None:
        if not isinstance(target, cst.Subscript):
            return
        kind = _immutable(target.value, ctx)
        if kind is not None:
            ctx.report(node, f"{what} to an element of a {kind} is rejected by torch.jit.script (a {kind} is "
                             f"immutable: \"... does not support {'augmented' if 'augmented' in what else 'subscripted'}"
                             f" assignment\"): build a new {kind} instead")

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        self._check(node, node.target, ctx, "augmented assignment")

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        for t in node.targets:
            self._check(node, t.target, ctx, "assignment")
