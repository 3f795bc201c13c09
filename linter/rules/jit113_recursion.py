import libcst as cst

from .base import Example, Rule


class Recursion(Rule):
    """
    ## What it does
    Flags a compiled function or method that calls itself directly: ``fact(n - 1)`` inside
    ``fact``, ``self.walk(...)`` inside method ``walk``, ``Tree.depth(...)`` inside
    ``Tree.depth``.

    ## Why is this bad?
    TorchScript compiles every callee into the caller's graph and has no recursion: it stops
    with "function 'fact' is called recursively. Recursive calls are not supported".

    ## Example
    ```python
    def fact(n: int) -> int:
        if n <= 1:
            return 1
        return n * fact(n - 1)
    ```

    ## Use instead
    ```python
    def fact(n: int) -> int:
        r = 1
        for i in range(2, n + 1):
            r *= i
        return r
    ```

    ## Fix safety
    No automatic fix: turning recursion into a loop (with an explicit stack if needed) is a
    rewrite of the algorithm.
    """

    code = "JIT113"
    name = "recursion"
    message = "recursive calls are not supported by torch.jit.script"
    evidence = ("s025",)

    INVALID = [
        Example(
            """
            import torch

            def fact(n: int) -> int:
                if n <= 1:
                    return 1
                return n * fact(n - 1)  # MARK

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x * fact(3)
            """
        ),
        Example(
            """
            import torch

            class Net(torch.nn.Module):
                def halve(self, x: torch.Tensor, n: int) -> torch.Tensor:
                    if n == 0:
                        return x
                    return self.halve(x / 2, n - 1)  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.halve(x, 2)
            """,
            root="Net",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fact(n: int) -> int:
                r = 1
                for i in range(2, n + 1):
                    r *= i
                return r

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x * fact(3)
            """
        ),
        Example(
            """
            import torch

            class Block(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x + 1

            class Net(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.block = Block()

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.block.forward(self.block(x))
            """,
            root="Net",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        fn = ctx.function
        if fn is None:
            return
        func = node.func
        if isinstance(func, cst.Name):
            if func.value != fn.name or fn.class_facts is not None:
                return
        elif isinstance(func, cst.Attribute):
            if func.attr.value != fn.name:
                return
            owner = func.value
            if (isinstance(owner, cst.Name) and fn.class_facts is not None and fn.params
                    and not fn.is_staticmethod and owner.value == fn.params[0].name
                    and fn.name not in fn.class_facts.attr_types):  # not shadowed by an attribute
                ctx.report(node, f"`{fn.name}` calls itself through `{owner.value}.{fn.name}(...)`: recursive "
                                 f"calls are not supported by torch.jit.script; rewrite it as a loop")
                return
        else:
            return
        module = ctx.file.module_name
        expected = f"{module}.{fn.qualname}" if module else fn.qualname
        if ctx.resolve(func) == expected:
            ctx.report(node, f"`{fn.name}` calls itself: recursive calls are not supported by torch.jit.script; "
                             f"rewrite it as a loop")
