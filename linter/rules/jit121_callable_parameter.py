from typing import Optional

import libcst as cst

from .base import Example, Rule

_CALLABLES = frozenset({
    "typing.Callable", "collections.abc.Callable", "typing_extensions.Callable",
})


def _find_callable(node: cst.BaseExpression, ctx, depth: int = 0) -> Optional[cst.BaseExpression]:
    """The ``Callable`` (sub)expression of an annotation, if any."""
    if depth > 8:
        return None
    if isinstance(node, cst.Name):
        return node if node.value == "Callable" and ctx.resolve(node) in _CALLABLES else None
    if isinstance(node, cst.Attribute):
        return node if node.attr.value == "Callable" and ctx.resolve(node) in _CALLABLES else None
    if isinstance(node, cst.Subscript):
        found = _find_callable(node.value, ctx, depth + 1)
        if found is not None:
            return node
        for el in node.slice:
            if isinstance(el.slice, cst.Index):
                found = _find_callable(el.slice.value, ctx, depth + 1)
                if found is not None:
                    return found
        return None
    if isinstance(node, cst.BinaryOperation):  # PEP 604 unions
        return _find_callable(node.left, ctx, depth + 1) or _find_callable(node.right, ctx, depth + 1)
    if isinstance(node, cst.SimpleString):
        if "Callable" not in node.value:
            return None
        try:
            text = node.evaluated_value
            parsed = cst.parse_expression(text) if isinstance(text, str) else None
        except Exception:  # noqa: BLE001 - not an expression
            return None
        if parsed is not None and _find_callable(parsed, ctx, depth + 1) is not None:
            return node
    return None


class CallableParameter(Rule):
    """
    ## What it does
    Flags ``Callable`` (``typing.Callable``, ``collections.abc.Callable``) in the parameter or
    return annotations of compiled functions and methods, and in annotated local variables of
    compiled code, including nested uses such as ``Optional[Callable[..., Tensor]]``.

    ## Why is this bad?
    Functions are not first-class values in TorchScript and it has no function type:
    ``torch.jit.script`` fails with "Unknown type constructor Callable" (or "Unknown type name
    'Callable'" for a bare or string annotation), even when the callable is never called.

    ## Example
    ```python
    def apply(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        return f(x)

    def fn(x: torch.Tensor) -> torch.Tensor:
        return apply(torch.relu, x)
    ```

    ## Use instead
    Dispatch on a string or int flag, or hold the function as an ``nn.Module`` attribute
    (``self.act = nn.ReLU()``; function-valued module attributes such as ``self.act = F.gelu``
    also compile):
    ```python
    def apply(kind: str, x: torch.Tensor) -> torch.Tensor:
        if kind == "relu":
            return torch.relu(x)
        return x

    def fn(x: torch.Tensor) -> torch.Tensor:
        return apply("relu", x)
    ```

    ## Fix safety
    No automatic fix: replacing a function parameter needs a design decision.
    """

    code = "JIT121"
    name = "callable-parameter"
    message = "`Callable` annotations are not supported by torch.jit.script"
    evidence = ("s114",)

    INVALID = [
        Example(
            """
            from typing import Callable
            import torch

            def apply(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:  # MARK
                return f(x)

            def fn(x: torch.Tensor) -> torch.Tensor:
                return apply(torch.relu, x)
            """,
        ),
        Example(
            """
            import typing
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor, hook: typing.Optional[typing.Callable] = None) -> torch.Tensor:  # MARK
                    return x * 2
            """,
            root="M",
        ),
        Example(
            """
            from typing import Callable
            import torch

            def pick(x: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:  # MARK
                return torch.relu

            def fn(x: torch.Tensor) -> torch.Tensor:
                return pick(x)(x)
            """,
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def apply(kind: str, x: torch.Tensor) -> torch.Tensor:
                if kind == "relu":
                    return torch.relu(x)
                return x

            def fn(x: torch.Tensor) -> torch.Tensor:
                return apply("relu", x)
            """,
        ),
        Example(
            """
            import torch
            import torch.nn.functional as F

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.act = F.gelu

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.act(x)
            """,
            root="M",
        ),
    ]

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        for p in ctx.function.params:
            if p.annotation is not None:
                found = _find_callable(p.annotation.annotation, ctx)
                if found is not None:
                    ctx.report(p.annotation, f"parameter `{p.name}` is annotated with `{ctx.code_of(found)}`: "
                                             "TorchScript has no function types (\"Unknown type constructor Callable\")")
        if fn.returns is not None:
            found = _find_callable(fn.returns.annotation, ctx)
            if found is not None:
                ctx.report(fn.returns, f"the return type `{ctx.code_of(found)}` is a function type, which "
                                       "TorchScript does not have (\"Unknown type constructor Callable\")")

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        found = _find_callable(node.annotation.annotation, ctx)
        if found is not None:
            ctx.report(node.annotation, f"`{ctx.code_of(found)}` annotation: TorchScript has no function types "
                                        "(\"Unknown type constructor Callable\")")
