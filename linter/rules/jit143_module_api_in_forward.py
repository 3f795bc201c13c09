from typing import Optional

import libcst as cst

from ..analysis import torch_api
from ..analysis.torch_api import MODULE_APIS
from ..analysis.typecheck.lattice import kind
from .base import Example, Rule

# Compiles, but only visits the module's own buffers, not its submodules' (eager recurses).
_DIVERGES = {"named_buffers"}


class ModuleApiInForward(Rule):
    """
    ## What it does
    Flags calls of ``nn.Module`` Python APIs on ``self`` or on a submodule in compiled code:
    ``self.parameters()``, ``self.named_parameters()``, ``self.buffers()``, ``self.state_dict()``,
    ``self.apply(...)``, ``self.to(...)``/``.cpu()``/``.half()``, ``self.train()``/``.eval()``,
    ``self.register_buffer(...)``, ``self.get_submodule(...)``, ``next(self.parameters())``...
    and ``self.named_buffers()``, which compiles but only visits the module's own buffers.

    ## Why is this bad?
    These methods are Python code that uses generators, lambdas, ``*args`` or types TorchScript
    does not know, so ``torch.jit.script`` rejects the model ("Python builtin <built-in function
    next> is currently not supported", "Yield aren't supported", "Unknown type name 'Self'"...).
    ``self.named_buffers()`` compiles but, unlike eager Python, does not recurse into submodules.
    ``self.modules()``, ``self.children()``, ``self.named_children()`` and
    ``self.named_modules()`` are supported and are not flagged.

    ## Example
    ```python
    def forward(self, x):
        dev = next(self.parameters()).device
        return self.lin(x.to(dev))
    ```

    ## Use instead
    ```python
    def forward(self, x):
        dev = self.lin.weight.device
        return self.lin(x.to(dev))
    ```

    ## Fix safety
    No automatic fix: which concrete parameter to use is a design decision.
    """

    code = "JIT143"
    name = "module-api-in-forward"
    message = "nn.Module Python API called in compiled code"
    evidence = ("s434",)

    INVALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.lin = torch.nn.Linear(3, 3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    dev = next(self.parameters()).device  # MARK
                    return self.lin(x.to(dev))
            """,
            root="M",
            inputs="[(torch.ones(1, 3),)]",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.lin = torch.nn.Linear(3, 3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    for p in self.lin.parameters():  # MARK
                        x = x + p.sum()
                    return x
            """,
            root="M",
            inputs="[(torch.ones(1, 3),)]",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.lin = torch.nn.Linear(3, 3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    self.eval()  # MARK
                    return self.lin(x)
            """,
            root="M",
            inputs="[(torch.ones(1, 3),)]",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.register_buffer("b", torch.ones(1) * 3)
                    self.bn = torch.nn.BatchNorm1d(1)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    for name, buf in self.named_buffers():  # MARK
                        x = x + buf.float().sum()
                    return x
            """,
            root="M",
            inputs="[(torch.zeros(1),)]",
            expect="diverge",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.lin = torch.nn.Linear(3, 3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    dev = self.lin.weight.device
                    return self.lin(x.to(dev))
            """,
            root="M",
            inputs="[(torch.ones(1, 3),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.seq = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
                    self.out = nn.Linear(3, 3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    n = 0
                    for m in self.modules():
                        n += 1
                    for name, child in self.named_children():
                        n += 1
                    for child in self.seq.children():
                        x = child(x)
                    return self.out(x) * n
            """,
            root="M",
            inputs="[(torch.ones(1, 3),)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        if method not in MODULE_APIS and method not in _DIVERGES:
            return
        owner = func.value
        fn = ctx.function
        if fn is None or fn.class_node is None or not fn.is_method or not fn.params:
            return
        self_name = fn.params[0].name
        requires = ()
        if isinstance(owner, cst.Name):
            if owner.value != self_name or (ctx.infer is not None and owner.value in ctx.infer.env):
                return
            if _defines(fn.class_node, method):
                return
            class_id = fn.id.rsplit(".", 1)[0]
            requires = (("module", class_id),)
            target = "self"
        elif isinstance(owner, cst.Attribute):
            if not _known_module(ctx.type_of(owner), ctx):
                return
            target = ctx.code_of(owner)
        else:
            return
        if method in _DIVERGES:
            ctx.report(
                node,
                f"`{target}.{method}()` compiles, but TorchScript only visits the module's own buffers, "
                f"not its submodules' (eager Python recurses): refer to the buffers explicitly",
                requires=requires,
            )
            return
        call = f"{target}.{method}()"
        parent = ctx.parent
        wrapped = _next_wrapper(parent, node, ctx)
        if wrapped is not None:
            call = f"next({call})"
        ctx.report(
            node,
            f"`{call}` is an nn.Module Python API that torch.jit.script cannot compile: {MODULE_APIS[method]}",
            requires=requires,
        )


def _known_module(t, ctx) -> bool:
    """A value certainly an nn.Module: a torch.nn class, a container, or a module class of this file
    (the inference types any capitalised call assigned to an attribute as a "module")."""
    k = kind(t)
    if k in ("modlist", "moddict"):
        return True
    if k != "module" or not t[1]:
        return False
    if torch_api.is_module_class_name(t[1]):
        return True
    local = ctx.file.classes.get(str(t[1]).rsplit(".", 1)[-1])
    return local is not None and local.qualname == t[1] and local.is_module_guess


def _defines(class_node: cst.ClassDef, name: str) -> bool:
    for stmt in class_node.body.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == name:
            return True
    return False


def _next_wrapper(parent, node: cst.Call, ctx) -> Optional[cst.Call]:
    """The ``next(...)`` call directly around ``node`` (parents: Arg, then the Call)."""
    parents = ctx.parents
    if len(parents) >= 2 and isinstance(parents[-1], cst.Arg) and isinstance(parents[-2], cst.Call):
        outer = parents[-2]
        if isinstance(outer.func, cst.Name) and outer.func.value == "next":
            return outer
    return None
