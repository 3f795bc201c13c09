from typing import Dict, Optional, Tuple

import libcst as cst

from ..analysis.trace_dims import ARGUMENTS
from ..analysis.tracing import plausible_root
from ..analysis.typecheck.lattice import NONE, TENSOR, describe, kind, strip_optional
from .base import TRACE, Example, Rule


def _traceable(t) -> bool:
    """Types torch.jit.trace accepts as inputs: Tensors and (nested) tuples/lists/dicts of them."""
    k = kind(t)
    if t == TENSOR:
        return True
    if k == "list":
        return _traceable(t[1])
    if k == "tuple":
        return t[1] is not None and len(t[1]) > 0 and all(_traceable(e) for e in t[1])
    if k == "dict":
        return _traceable(t[2])
    return False


class TraceInputStructure(Rule):
    """
    ## What it does
    Flags parameters of a traced root (``forward`` of an nn.Module traced as a whole, or a function
    passed to ``torch.jit.trace``) that a trace cannot take as inputs: parameters annotated with a
    non-Tensor type (``k: int``, ``scale: float``, ``mode: str``) and parameters with a default
    (``mask=None``, ``scale=1.0``). The finding is placed where the parameter is first used.

    ## Why is this bad?
    A trace's inputs are Tensors (and tuples/lists/dicts of Tensors) fixed at trace time.
    ``torch.jit.trace`` rejects Python numbers, bools and strings as example inputs ("Type
    'Tuple[Tensor, int]' cannot be traced"). A parameter left at its default while tracing is not
    an input of the trace at all: its default is baked in (``if mask is not None:`` takes the
    traced branch forever), and calling the traced model with it fails ("forward() expected at
    most 2 argument(s) but received 3"). No warning is emitted. Unused parameters are not
    reported, nor helpers and submodules (which receive whatever their caller passes). The rule
    only looks at functions and modules handed to ``torch.jit.trace``/``trace_module`` in the
    project or configured with ``trace-roots``: an nn.Module's optional arguments are only a
    problem for the module that is traced, and which one that is cannot be guessed.

    ## Example
    ```python
    def forward(self, x, mask=None):
        if mask is not None:
            x = x * mask
        return x
    ```

    ## Use instead
    Trace with every input the model will receive (pass ``mask`` in the example inputs or with
    ``example_kwarg_inputs``), or trace one model per signature; make configuration values module
    attributes:
    ```python
    def forward(self, x, mask):
        return x * mask
    ```

    ## Fix safety
    No automatic fix: the model's signature is its API.
    """

    code = "JIT312"
    name = "trace-input-structure"
    message = "a traced root's parameter cannot be a trace input"
    mode = TRACE
    evidence = ("t030", "t031")

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x, mask=None):
                    if mask is not None:  # MARK
                        x = x * mask
                    return x
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3),), (torch.ones(3), torch.zeros(3))]",
        ),
        Example(
            """
            import torch

            def fn(x, k: int):
                return x * k  # MARK
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3), 2), (torch.ones(3), 5)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x, scale: float = 1.0):
                    return x * scale  # MARK
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3),), (torch.ones(3), 2.0)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from typing import List, Tuple
            from torch import nn

            class Inner(nn.Module):
                def forward(self, x, scale: float = 2.0, mask=None):
                    if mask is not None:
                        x = x * mask
                    return x * scale

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.inner = Inner()

                def forward(self, x: torch.Tensor, pair: Tuple[torch.Tensor, torch.Tensor], rest: List[torch.Tensor]):
                    return self.inner(x, 3.0) + pair[0] * pair[1] + rest[0]
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(2), (torch.ones(2), torch.ones(2)), [torch.ones(2)]), "
                   "(torch.ones(2) * 2, (torch.ones(2), torch.zeros(2)), [torch.ones(2) * 3])]",
        ),
        Example(
            """
            import torch

            def _scale(x, k: int = 2):
                return x * k

            def fn(x, mask):
                return _scale(x) * mask
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3), torch.ones(3)), (torch.ones(3), torch.zeros(3))]",
        ),
    ]

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        info = ctx.function
        if info is None or not plausible_root(ctx):
            return
        # a top-level function's defaults matter only if it evidently takes Tensors
        top_level_defaults = info.class_facts is None and any(p.type == TENSOR for p in info.params)
        wanted: Dict[str, Tuple[str, tuple]] = {}
        for i, p in enumerate(info.params):
            if info.is_method and i == 0:
                continue
            if p.kind in ("star", "starstar"):
                continue
            if p.default is not None and info.class_facts is None and not top_level_defaults:
                continue
            problem = self._problem(p)
            if problem is not None:
                # only for roots handed to torch.jit.trace (or configured): whether a guessed root is
                # ever traced, and with which arguments, is unknown (most are called from Python)
                # a default is what later calls may pass or not (arguments); a non-Tensor
                # parameter fails to trace whatever the call
                wanted[p.name] = (problem, ("trace_root", info.id, "explicit"),
                                  (ARGUMENTS,) if p.default is not None else ())
        if not wanted:
            return
        from ..analysis.syntax import iter_children

        stack = [fn.body]
        while stack:  # pre-order: the first use in source order
            node = stack.pop()
            if isinstance(node, cst.Name):
                if node.value in wanted:
                    msg, pred, varies = wanted.pop(node.value)
                    ctx.report(node, msg, requires=(pred,), varies=varies)
                    if not wanted:
                        return
                continue
            if isinstance(node, cst.Attribute):
                children = [node.value]  # not the attribute's own name
            elif isinstance(node, cst.Arg):
                children = [node.value]  # not a keyword's name
            else:
                children = list(iter_children(node))
            children.reverse()
            stack.extend(children)

    @staticmethod
    def _problem(p) -> Optional[str]:
        t = p.type
        name = p.name
        if p.default is not None:
            default_code = _code(p.default)
            if default_code == "None" and (p.annotation is None or _traceable(strip_optional(t))):
                return (f"`{name}={default_code}`: traced without `{name}`, the trace has no such input and keeps the "
                        f"branch its default takes (calling it with `{name}` then fails); traced with it, calls "
                        f"without it fail. Trace with every input you pass (`example_kwarg_inputs`), or one trace per "
                        f"signature")
            return (f"`{name}` has a default (`{default_code}`): traced without it, the default is baked into the "
                    f"trace and passing `{name}` later fails; "
                    + ("a non-Tensor cannot be a trace input at all. " if not _traceable(t) and t is not None
                       else "") + "Make it a module attribute, or trace one model per value")
        if p.annotation is None or t is None or _traceable(t) or t == NONE:
            return None
        return (f"`{name}: {describe(t)}` is not a Tensor: `torch.jit.trace` only takes Tensors (and tuples/lists/"
                f"dicts of Tensors) as inputs and fails (\"cannot be traced\"). Make it a module attribute, or pass a "
                f"Tensor")


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)
