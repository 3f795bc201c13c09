import libcst as cst

from ..analysis.trace_dims import STATE
from ..analysis.tracing import in_raise_only_check, is_logging_call
from .base import TRACE, Example, Rule


class SideEffectInTrace(Rule):
    """
    ## What it does
    Flags ``print(...)``, ``warnings.warn(...)``, ``logging`` calls and module-level logger calls
    (``logger.info(...)``) in code that runs while ``torch.jit.trace`` traces. Opt-in
    (``--extend-select JIT314``): the traced model's results are correct, only the side effect is
    lost, and diagnostics in ``forward`` are common and often meant for eager runs only.

    ## Why is this bad?
    The tracer records Tensor operations only. The call runs while tracing (several times with the
    default ``check_trace=True``), with the example input, and never again: the traced model
    prints, warns and logs nothing. Calls under ``if not torch.jit.is_tracing():`` are not
    reported, nor calls just before a ``raise`` in a check that only raises (eager prints them
    only for inputs it rejects).

    ## Example
    ```python
    def forward(self, x):
        print("forward called with", tuple(x.shape))
        return x + 1
    ```

    ## Use instead
    Move diagnostics out of the traced code, or make it explicit that they are for eager runs:
    ```python
    def forward(self, x):
        if not torch.jit.is_tracing():
            print("forward called with", tuple(x.shape))
        return x + 1
    ```

    ## Fix safety
    No automatic fix.
    """

    code = "JIT314"
    name = "side-effect-in-trace"
    message = "a print/log/warning call runs only while tracing, not in the traced model"
    mode = TRACE
    default = False
    evidence = ("t036",)

    INVALID = [
        Example(
            """
            import contextlib
            import io
            import torch

            def fn(x):
                print("forward called with", tuple(x.shape))  # MARK
                return x + 1

            def check(traced, make):
                buf = io.StringIO()
                with contextlib.redirect_stdout(buf):
                    traced(torch.ones(2))
                return buf.getvalue() == ""
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3),)]", check="check",
        ),
        Example(
            """
            import logging
            import torch
            from torch import nn

            logger = logging.getLogger("jitlint_example")

            class M(nn.Module):
                def forward(self, x):
                    logger.warning("large input: %s", x.numel())  # MARK
                    return x * 2

            def check(traced, make):
                records = []
                handler = logging.Handler()
                handler.emit = records.append
                logger.addHandler(handler)
                try:
                    traced(torch.ones(2))
                finally:
                    logger.removeHandler(handler)
                return not records
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3),)]", check="check",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    print("building M")

                def forward(self, x):
                    if not torch.jit.is_tracing():
                        print("forward called with", tuple(x.shape))
                    return x + 1
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3),), (torch.ones(5),)]",
        ),
        Example(
            """
            import torch

            @torch.jit.script_if_tracing
            def _report(x: torch.Tensor) -> torch.Tensor:
                print("sum", x.sum())
                return x

            def fn(x):
                return _report(x) + 1
            """,
            mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3),), (torch.ones(5),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    if x.dim() != 2:
                        print("bad input shape", tuple(x.shape))
                        raise ValueError("expected a 2-D input")
                    return x + 1
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.ones(3, 2),), (torch.ones(5, 2),)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if isinstance(func, cst.Name):
            if func.value != "print":
                return
        elif not isinstance(func, cst.Attribute):
            return
        what = is_logging_call(node, ctx)
        if what is None:
            return
        if in_raise_only_check(node, ctx):
            return  # printed just before raising: eager prints only for inputs it rejects
        if what == "builtins.print":
            what = "print"
        ctx.report(node, f"`{what}(...)` runs only while tracing (with the example input): the traced model does not "
                         f"call it. Guard it with `if not torch.jit.is_tracing():` or move it out of traced code",
                   varies=(STATE,))
