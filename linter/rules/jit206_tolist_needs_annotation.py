import libcst as cst

from ..analysis.typecheck.lattice import TENSOR
from .base import Example, Rule

_ANNOTATE = ("torch.jit.annotate", "torch.jit._script.annotate")


class TolistNeedsAnnotation(Rule):
    """
    ## What it does
    Flags ``tensor.tolist()`` in compiled code whose result type is not declared: anywhere but
    the value of an annotated assignment (``vals: List[float] = x.tolist()``), the second
    argument of ``torch.jit.annotate(List[float], x.tolist())``, or the value returned by a
    function with a return annotation.

    ## Why is this bad?
    The result type of ``tolist()`` depends on the tensor's dtype and number of dimensions,
    which TorchScript does not know statically: ``torch.jit.script`` rejects the call
    ("Expected type hint for result of tolist()"), also in a plain assignment to a variable
    annotated earlier, in a ``for`` loop header or as a call argument.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> float:
        vals = x.tolist()
        return vals[0]
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> float:
        vals: List[float] = x.tolist()
        return vals[0]
    ```

    ## Fix safety
    No automatic fix: the element type (``int``/``float``/``bool``) and the nesting
    (``List[List[float]]`` for a 2-d tensor) come from the tensor's dtype and rank, which are
    not known statically.
    """

    code = "JIT206"
    name = "tolist-needs-annotation"
    message = "`tolist()` needs a type annotation on its result in TorchScript"
    evidence = ("s323",)

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> float:
                vals = x.tolist()  # MARK
                return vals[0]
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> float:
                total = 0.0
                for v in x.tolist():  # MARK
                    total += v
                return total
            """,
        ),
    ]
    VALID = [
        Example(
            """
            from typing import List
            import torch

            def first(x: torch.Tensor) -> List[float]:
                return x.tolist()

            def fn(x: torch.Tensor) -> float:
                vals: List[float] = x.tolist()
                more = torch.jit.annotate(List[float], x.tolist())
                return vals[0] + more[1] + first(x)[0]
            """,
            inputs="[(torch.arange(3.0),)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "tolist" or node.args:
            return
        if ctx.type_of(func.value) != TENSOR:
            return
        parent = ctx.parent
        if isinstance(parent, cst.AnnAssign) and parent.value is node:
            return
        if isinstance(parent, cst.Return) and ctx.function.return_annotation is not None:
            return
        if isinstance(parent, cst.Arg) and len(ctx.parents) > 1:
            call = ctx.parents[-2]
            if isinstance(call, cst.Call) and ctx.resolve(call.func) in _ANNOTATE:
                return
        ctx.report(node, "the result of `tolist()` needs a type annotation in TorchScript (\"Expected type hint "
                         "for result of tolist()\"): assign it to an annotated variable, e.g. "
                         "`vals: List[float] = x.tolist()` (the element type follows the dtype, the nesting the "
                         "number of dimensions)")
