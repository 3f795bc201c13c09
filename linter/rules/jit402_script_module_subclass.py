import libcst as cst

from ..analysis.names import dotted_name
from .base import FILE, Example, Rule

_SCRIPT_METHOD = frozenset({"torch.jit.script_method", "torch.jit._script.script_method"})


class ScriptModuleSubclass(Rule):
    """
    ## What it does
    Flags ``@torch.jit.script_method``, the decorator of the legacy ``torch.jit.ScriptModule``
    subclassing API (``class M(torch.jit.ScriptModule)`` with compiled methods).

    ## Why is this bad?
    The legacy API still compiles in torch 2.13, but ``script_method`` is deprecated: the
    decorator emits a ``DeprecationWarning`` when the class body runs (at import), and the whole
    TorchScript API is slated for removal. An ``nn.Module`` compiled with ``torch.jit.script(M())``
    behaves the same, and can move to ``torch.compile``/``torch.export`` later.

    ## Example
    ```python
    class M(torch.jit.ScriptModule):
        @torch.jit.script_method
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * 2
    ```

    ## Use instead
    ```python
    class M(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * 2

    scripted = torch.jit.script(M())  # or torch.export / torch.compile
    ```

    ## Fix safety
    No automatic fix: the base class, the decorators and the place where the module is compiled
    all change together.
    """

    code = "JIT402"
    name = "script-module-subclass"
    message = "`@torch.jit.script_method` (ScriptModule subclassing) is deprecated"
    mode = FILE
    evidence = ("s431",)

    INVALID = [
        Example(
            """
            import torch

            def run():
                class M(torch.jit.ScriptModule):
                    def __init__(self):
                        super().__init__()

                    @torch.jit.script_method  # MARK
                    def forward(self, x: torch.Tensor) -> torch.Tensor:
                        return x * 2
                return M()
            """,
            root="run", expect="warns",
        ),
        Example(
            """
            import torch
            from torch.jit import ScriptModule, script_method

            def run():
                class M(ScriptModule):
                    @script_method  # MARK
                    def forward(self, x: torch.Tensor) -> torch.Tensor:
                        return x + 1
                return M()
            """,
            root="run", expect="warns",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.k = 2

                @torch.jit.export
                def scale(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.k

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.scale(x)

            def run():
                return M()(torch.ones(2))
            """,
            root="run", expect="warns",
        ),
        Example(
            """
            import torch

            class Legacy(torch.jit.ScriptModule):
                def __init__(self):
                    super().__init__()
                    self.k = 2

            def run():
                return Legacy().k
            """,
            root="run", expect="warns",
        ),
    ]

    def _check(self, decorators, names, report) -> None:
        for dec in decorators:
            node = dec.decorator
            if isinstance(node, cst.Call):
                node = node.func
            if names.resolve(dotted_name(node)) in _SCRIPT_METHOD:
                report(dec, "`@torch.jit.script_method` is deprecated since torch 2.11 (a DeprecationWarning when "
                            "the class is defined): subclass `nn.Module`, drop the decorator and compile the "
                            "instance (`torch.jit.script(M())`), or move to `torch.compile`/`torch.export`")

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx) -> None:
        self._check(node.decorators, ctx.names, ctx.report)

    def check_class(self, cls, fctx) -> None:
        for method in cls.node.body.body:
            if isinstance(method, cst.FunctionDef):
                self._check(method.decorators, fctx.names, fctx.report)
