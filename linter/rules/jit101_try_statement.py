import libcst as cst

from .base import Example, Rule


class TryStatement(Rule):
    """
    ## What it does
    Flags ``try``/``except``/``finally`` in code that ``torch.jit.script`` compiles.

    ## Why is this bad?
    TorchScript has no exception handling: the frontend rejects any ``try`` block
    ("try blocks aren't supported"). It does so even inside ``if not torch.jit.is_scripting():``,
    because the whole function is parsed before dead branches are dropped.

    ## Example
    ```python
    def forward(self, x):
        try:
            return self.fast_path(x)
        except RuntimeError:
            return self.slow_path(x)
    ```

    ## Use instead
    Keep only the path TorchScript should compile, or move the guarded code into a
    ``@torch.jit.unused`` helper called under ``if not torch.jit.is_scripting():``.
    ```python
    def forward(self, x):
        return self.fast_path(x)
    ```

    ## Fix safety
    No automatic fix: removing the handler changes what happens when the body raises.
    """

    code = "JIT101"
    name = "try-statement"
    message = "`try` blocks are not supported by torch.jit.script"
    frontend = True
    evidence = ("s001", "s002", "s032")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                try:  # MARK
                    y = x * 2
                except RuntimeError:
                    y = x
                return y
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    try:  # MARK
                        print(x.shape)
                    finally:
                        pass
                return x + 1
            """
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            @torch.jit.unused
            def _log_shape(x: torch.Tensor) -> None:
                try:
                    print(x.shape)
                except Exception:
                    pass

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    _log_shape(x)
                return x + 1
            """
        ),
    ]

    def visit_Try(self, node: cst.Try, ctx) -> None:
        kind = "try/finally" if not node.handlers else "try/except"
        ctx.report(node, f"`{kind}` is not supported by torch.jit.script (no exception handling in TorchScript)")

    def visit_TryStar(self, node: cst.TryStar, ctx) -> None:
        ctx.report(node, "`try/except*` is not supported by torch.jit.script")
