import libcst as cst

from .base import Example, Rule


def _is_super_call(node: cst.BaseExpression, ctx) -> bool:
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "super"
            and ctx.resolve(node.func) == "builtins.super")


def _defines(class_node: cst.ClassDef, name: str) -> bool:
    for stmt in class_node.body.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == name:
            return True
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else (
                    [small.target] if isinstance(small, cst.AnnAssign) else [])
                if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                    return True
    return False


class SuperCall(Rule):
    """
    ## What it does
    Flags ``super().method(...)``, ``super().attr`` and ``super(Cls, self).method(...)`` in
    code ``torch.jit.script`` compiles: ``forward``, exported methods, properties and what they
    call of an ``nn.Module``, and every method (``__init__`` included) of a TorchScript class.

    ## Why is this bad?
    TorchScript has no ``super()``: the call is rejected with a misleading message that names a
    Tensor, e.g. "'Tensor' object has no attribute or method 'forward'". ``super().__init__()``
    in the ``__init__`` of an ``nn.Module`` is fine, because a module's ``__init__`` runs in
    Python and is never compiled.

    ## Example
    ```python
    class Child(Base):
        def forward(self, x):
            return super().forward(x) + 1
    ```

    ## Use instead
    Move the parent's logic into a helper method and call it through ``self``:
    ```python
    class Base(nn.Module):
        def _base_forward(self, x):
            return x * 2

        def forward(self, x):
            return self._base_forward(x)

    class Child(Base):
        def forward(self, x):
            return self._base_forward(x) + 1
    ```

    ## Fix safety
    When the class does not define the method itself, the fix calls it through ``self``
    (``super().helper(x)`` -> ``self.helper(x)``). It is unsafe: a subclass that overrides
    ``helper`` would now be called instead of the parent's version.
    """

    code = "JIT139"
    name = "super-call"
    message = "`super()` is not supported by torch.jit.script"
    fix_safety = "unsafe"
    evidence = ("s414", "s415", "s330")

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class Base(nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x * 2

            class Child(Base):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return super().forward(x) + 1  # MARK
            """,
            root="Child",
        ),
        Example(
            """
            import torch
            from torch import nn

            class Base(nn.Module):
                def helper(self, x: torch.Tensor) -> torch.Tensor:
                    return x * 2

            class Child(Base):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.scaled(x)

                @torch.jit.export
                def scaled(self, x: torch.Tensor) -> torch.Tensor:
                    return super(Child, self).helper(x) + 1  # MARK
            """,
            root="Child",
        ),
        Example(
            """
            import torch

            class Plain:
                def __init__(self, k: float):
                    super().__init__()  # MARK
                    self.k = k

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x * Plain(2.0).k
            """,
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from torch import nn

            class Base(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.k = 2

                def helper(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.k

            class Child(Base):
                def __init__(self):
                    super().__init__()

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.helper(x) + 1
            """,
            root="Child",
        ),
        Example(
            """
            import torch
            from torch import nn

            class Base(nn.Module):
                def _base_forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x * 2

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self._base_forward(x)

            class Child(Base):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if not torch.jit.is_scripting():
                        return super().forward(x) + 1
                    return self._base_forward(x) + 1
            """,
            root="Child",
        ),
    ]

    def visit_Attribute(self, node: cst.Attribute, ctx) -> None:
        value = node.value
        if not isinstance(value, cst.Call) or not _is_super_call(value, ctx):
            return
        attr = node.attr.value
        parent = ctx.parent
        call = parent if isinstance(parent, cst.Call) and parent.func is node else None
        fn = ctx.function
        fix = None
        if (call is not None and fn is not None and fn.class_node is not None and fn.is_method and fn.params
                and not _defines(fn.class_node, attr) and not attr.startswith("__")):
            self_name = fn.params[0].name
            fix = ctx.unsafe_fix(f"Call `{self_name}.{attr}(...)`",
                                 [(node, f"{self_name}.{attr}")])
        spelled = f"super().{attr}(...)" if call is not None else f"super().{attr}"
        ctx.report(call if call is not None else node,
                   f"`{spelled}` is not supported by torch.jit.script (no `super()` in TorchScript; the error "
                   f"message will name a Tensor): move the parent's logic into a helper method called through `self`",
                   fix=fix)
