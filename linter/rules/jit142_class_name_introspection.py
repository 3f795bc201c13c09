from typing import Optional

import libcst as cst

from .base import Example, Rule


def _self_name(ctx) -> Optional[str]:
    fn = ctx.function
    if fn is None or fn.class_node is None or not fn.is_method or not fn.params:
        return None
    name = fn.params[0].name
    if ctx.infer is not None and name in ctx.infer.env:
        return None  # rebound
    return name


class ClassNameIntrospection(Rule):
    """
    ## What it does
    Flags ``self.__class__`` (``self.__class__.__name__``, ``self.__class__.some_static(...)``)
    and ``type(self)`` (``type(self).__name__``) in compiled methods.

    ## Why is this bad?
    TorchScript cannot represent the class object: ``self.__class__`` fails with
    ``AttributeError: type object 'type' has no attribute '__globals__'`` and **no source
    location** at all, ``type(self)`` with "type(Tensor 0) -> Tensor 0". Users cannot tell which
    line broke the model.

    ## Example
    ```python
    def forward(self, x):
        return self.__class__.__name__
    ```

    ## Use instead
    Compute the name in ``__init__`` (which runs in Python) and store it as a ``str``:
    ```python
    def __init__(self):
        super().__init__()
        self.name = type(self).__name__

    def forward(self, x):
        return self.name
    ```
    Call static methods as ``self.helper(...)`` rather than ``self.__class__.helper(...)``.

    ## Fix safety
    ``self.__class__.__name__`` / ``type(self).__name__`` can be replaced by the class name as a
    string literal. The fix is unsafe: an instance of a subclass would report the subclass's
    name in eager Python.
    """

    code = "JIT142"
    name = "class-name-introspection"
    message = "class introspection of `self` is not supported by torch.jit.script"
    fix_safety = "unsafe"
    evidence = ("s433",)

    INVALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> str:
                    return self.__class__.__name__  # MARK
            """,
            root="M",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> str:
                    return type(self).__name__  # MARK
            """,
            root="M",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                @staticmethod
                def helper(x: torch.Tensor) -> torch.Tensor:
                    return x + 1

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.__class__.helper(x)  # MARK
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.name = type(self).__name__

                def forward(self, x: torch.Tensor) -> str:
                    return self.name
            """,
            root="M",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                @staticmethod
                def helper(x: torch.Tensor) -> torch.Tensor:
                    return x + 1

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.helper(x) + M.helper(x)
            """,
            root="M",
        ),
    ]

    def visit_Attribute(self, node: cst.Attribute, ctx) -> None:
        if node.attr.value != "__class__":
            return
        value = node.value
        if not isinstance(value, cst.Name) or value.value != _self_name(ctx):
            return
        self._report(node, f"{value.value}.__class__", ctx)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, cst.Name) or func.value != "type" or len(node.args) != 1:
            return
        arg = node.args[0].value
        if not isinstance(arg, cst.Name) or arg.value != _self_name(ctx):
            return
        if ctx.resolve(func) != "builtins.type":
            return
        self._report(node, f"type({arg.value})", ctx)

    def _report(self, node: cst.BaseExpression, spelled: str, ctx) -> None:
        parent = ctx.parent
        if isinstance(parent, cst.Attribute) and parent.value is node:
            attr = parent.attr.value
            fix = None
            if attr == "__name__":
                class_name = ctx.function.class_node.name.value
                fix = ctx.unsafe_fix(f"Use the literal class name {class_name!r}", [(parent, repr(class_name))])
            ctx.report(parent, f"`{spelled}.{attr}` is not supported by torch.jit.script (it fails with no "
                               f"source location): store the value in `__init__`"
                               + (" (e.g. `self.name = type(self).__name__`)" if attr == "__name__" else ""),
                       fix=fix)
            return
        ctx.report(node, f"`{spelled}` is not supported by torch.jit.script (it fails with no source location): "
                         f"compute what you need from the class in `__init__`")
