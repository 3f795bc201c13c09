import libcst as cst

from ..analysis import py_signatures
from ..analysis.typecheck.lattice import kind
from .base import Example, Rule


class TorchFunctionArguments(Rule):
    """
    ## What it does
    Flags calls, in compiled code, of the torch callables TorchScript compiles from their
    Python source whose arguments match no parameter list: ``torch.nn.functional`` functions
    that are not operators (``F.softmax``, ``F.dropout``, ``F.normalize``, ``F.layer_norm``,
    the losses...) and ``torch.nn`` modules held in attributes (``self.fc(x, y)`` on an
    ``nn.Linear``): too many positional arguments, an unknown keyword (``F.softmax(x,
    dims=-1)``), an argument given twice, a required one missing. Their signatures come from
    torch 2.13 itself (``tools/gen_py_signatures.py``).

    ## Why is this bad?
    TorchScript matches the call against the compiled function's schema and rejects the
    whole function ("softmax(Tensor input, int? dim=None, ...) -> Tensor: Keyword argument
    dims unknown", "forward(... Linear self, Tensor input) -> Tensor: Expected at most 2
    arguments but found 3 positional arguments"), while eager Python fails only when the line
    runs. Operators such as ``F.relu``'s ``torch.relu`` are checked by the operator-arguments
    rule; ``*args``/``**kwargs`` calls and overloaded callables (``F.interpolate``, ``nn.LSTM``)
    are not checked.

    ## Example
    ```python
    def forward(self, x):
        return F.softmax(x, dims=-1)
    ```

    ## Use instead
    ```python
    def forward(self, x):
        return F.softmax(x, dim=-1)
    ```

    ## Fix safety
    No automatic fix: the intended parameter is the author's call.
    """

    code = "JIT158"
    name = "torch-function-arguments"
    message = "this call of a torch Python function or module matches none of its parameters"

    INVALID = [
        Example(
            """
            import torch
            import torch.nn.functional as F

            def fn(x: torch.Tensor) -> torch.Tensor:
                return F.softmax(x, dims=-1)  # MARK
            """
        ),
        Example(
            """
            import torch
            from torch.nn import functional as F

            def fn(x: torch.Tensor) -> torch.Tensor:
                return F.dropout(x, 0.1, True, False, 1)  # MARK
            """
        ),
        Example(
            """
            import torch
            import torch.nn.functional as F

            def fn(x: torch.Tensor) -> torch.Tensor:
                return F.layer_norm(x)  # MARK
            """
        ),
        Example(
            """
            import torch

            class Net(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.lin = torch.nn.Linear(3, 3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.lin(x, x)  # MARK
            """,
            root="Net",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            import torch.nn.functional as F

            class Net(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.lin = torch.nn.Linear(3, 3)
                    self.attn = torch.nn.MultiheadAttention(3, 1)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    y = F.softmax(self.lin(x), dim=-1)
                    y = F.dropout(y, p=0.1, training=False)
                    y = F.normalize(y, 2.0, 1)
                    y = F.layer_norm(y, [3])
                    out, _ = self.attn(y, y, y, need_weights=False)
                    return out
            """,
            root="Net",
            inputs="[(torch.ones(2, 3),)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if any(a.star for a in node.args):
            return
        func = node.func
        what = None
        params = None
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            facts = ctx.class_facts
            t = facts.attr_types.get(func.attr.value) if facts is not None else None
            if kind(t) == "module" and isinstance(t[1], str):
                params = py_signatures.module_forward(t[1])
                what = f"`self.{func.attr.value}` (`{t[1].rsplit('.', 1)[-1]}.forward`)"
        else:
            qual = ctx.resolve(func)
            if qual is not None and qual.startswith("torch.nn.functional."):
                params = py_signatures.function(qual)
                what = f"`{qual.replace('torch.nn.functional.', 'F.')}`"
        if params is None:
            return
        n_positional = sum(1 for a in node.args if a.keyword is None)
        keywords = [a.keyword.value for a in node.args if a.keyword is not None]
        problem = py_signatures.call_problem(params, n_positional, keywords)
        if problem is None:
            return
        spelled = ", ".join(p[0] + ("=..." if p[2] else "") for p in params)
        ctx.report(node, f"{what} {problem}: torch.jit.script matches the call against `({spelled})` and "
                         f"rejects it")
