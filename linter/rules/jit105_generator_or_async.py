import libcst as cst

from .base import Example, Rule


class GeneratorOrAsync(Rule):
    """
    ## What it does
    Flags generator functions (``yield``, ``yield from``) and coroutines (``async def``, which
    is where ``await``, ``async for`` and ``async with`` live) among the functions
    ``torch.jit.script`` compiles, including helpers called from ``forward``.

    ## Why is this bad?
    TorchScript has neither generators nor coroutines. The frontend rejects ``yield``
    ("Yield aren't supported"), even under ``if not torch.jit.is_scripting():``; an
    ``async def`` is not even recognised as a function ("Expected a single top-level
    function", with no source location at all).

    ## Example
    ```python
    def gen(x: torch.Tensor):
        for i in range(3):
            yield x * i

    def fn(x: torch.Tensor) -> torch.Tensor:
        out = x
        for y in gen(x):
            out = out + y
        return out
    ```

    ## Use instead
    Build and return a list (or a plain ``def`` instead of ``async def``):
    ```python
    def gen(x: torch.Tensor) -> List[torch.Tensor]:
        res: List[torch.Tensor] = []
        for i in range(3):
            res.append(x * i)
        return res
    ```

    ## Fix safety
    No automatic fix: turning a generator into a list changes laziness and needs the element
    type; an ``async`` function needs a synchronous design.
    """

    code = "JIT105"
    name = "generator-or-async"
    message = "generators and coroutines are not supported by torch.jit.script"
    frontend = True
    evidence = ("s010", "s011")

    INVALID = [
        Example(
            """
            import torch

            def gen(x: torch.Tensor):
                for i in range(3):
                    yield x * i  # MARK

            def fn(x: torch.Tensor) -> torch.Tensor:
                out = x
                for y in gen(x):
                    out = out + y
                return out
            """
        ),
        Example(
            """
            import torch

            async def fn(x: torch.Tensor) -> torch.Tensor:  # MARK
                return x + 1
            """
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(xs: List[torch.Tensor]) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    yield from xs  # MARK
                return xs[0]
            """,
            inputs="[([torch.ones(2)],)]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import List
            import torch

            def gen(x: torch.Tensor) -> List[torch.Tensor]:
                res: List[torch.Tensor] = []
                for i in range(3):
                    res.append(x * i)
                return res

            def fn(x: torch.Tensor) -> torch.Tensor:
                out = x
                for y in gen(x):
                    out = out + y
                return out
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                return torch.stack([x * i for i in range(3)]).sum(0) + x
            """
        ),
    ]

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        if fn.asynchronous is not None:
            ctx.report(fn, f"`async def {fn.name.value}` cannot be compiled by torch.jit.script (no coroutines; "
                           f"`await`/`async for`/`async with` included): make it a plain `def`")

    def visit_Yield(self, node: cst.Yield, ctx) -> None:
        if isinstance(node.value, cst.From):
            what = "`yield from`"
        else:
            what = "`yield`"
        ctx.report(node, f"{what} makes this a generator, which torch.jit.script does not support: "
                         f"build and return a list instead")
