import libcst as cst

from ..analysis.tracing import head_target
from .base import Example, Rule

# torch.distributed.rpc / .autograd have TorchScript support (rpc_async, RRef): not reported.
_SUPPORTED = ("torch.distributed.rpc", "torch.distributed.autograd")


class DistributedApiInScript(Rule):
    """
    ## What it does
    Flags uses of ``torch.distributed`` in compiled code: ``dist.get_rank()``,
    ``dist.get_world_size()``, ``dist.is_initialized()``, ``dist.is_available()``,
    ``dist.all_reduce(x)``, ``dist.group.WORLD``, ``dist.ReduceOp.SUM``...
    (``torch.distributed.rpc`` and ``torch.distributed.autograd``, which TorchScript supports,
    are not reported.)

    ## Why is this bad?
    The c10d Python API is not TorchScript: ``torch.jit.script`` rejects each of these, checked
    with torch 2.13 ("Unknown type name 'ProcessGroup'", "undefined value has_torch_function",
    "Tried to lookup unknown attribute on class ...GroupMember", "attribute lookup is not
    defined on python value of type '_ReduceOpMeta'").

    ## Example
    ```python
    def forward(self, x):
        return x / dist.get_world_size()
    ```

    ## Use instead
    ```python
    def __init__(self):
        super().__init__()
        self.world_size = dist.get_world_size() if dist.is_initialized() else 1

    def forward(self, x):
        return x / self.world_size
    ```
    Or keep collective calls outside the compiled model, or under
    ``if not torch.jit.is_scripting():``.

    ## Fix safety
    No automatic fix: where the value comes from is a design decision.
    """

    code = "JIT162"
    name = "distributed-api-in-script"
    message = "torch.distributed is not supported by torch.jit.script"

    INVALID = [
        Example(
            """
            import torch
            import torch.distributed as dist

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x / dist.get_world_size()  # MARK
            """,
            inputs="[(torch.ones(2),)]",
        ),
        Example(
            """
            import torch
            import torch.distributed as dist
            from torch import nn

            class M(nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if dist.is_available() and dist.is_initialized():  # MARK
                        dist.all_reduce(x)
                    return x
            """,
            root="M", inputs="[(torch.ones(2),)]",
        ),
        Example(
            """
            import torch
            import torch.distributed

            def fn(x: torch.Tensor) -> torch.Tensor:
                op = torch.distributed.ReduceOp.SUM  # MARK
                return x
            """,
            inputs="[(torch.ones(2),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            import torch.distributed as dist
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.world_size = dist.get_world_size() if dist.is_initialized() else 1

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if not torch.jit.is_scripting():
                        if dist.is_initialized():
                            dist.all_reduce(x)
                    return x / self.world_size
            """,
            root="M", inputs="[(torch.ones(2),)]",
        ),
    ]

    def visit_Attribute(self, node: cst.Attribute, ctx) -> None:
        parents = ctx.parents
        parent = parents[-1] if parents else None
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return  # report the whole dotted expression once
        target = head_target(node, ctx)
        if target is None or not target.startswith("torch"):
            return
        qual = ctx.resolve(node)
        if qual is None or not qual.startswith("torch.distributed.") or qual.startswith(_SUPPORTED):
            return
        call = isinstance(parent, cst.Call) and parent.func is node
        spelled = f"`{ctx.code_of(node)}()`" if call else f"`{ctx.code_of(node)}`"
        ctx.report(parent if call else node,
                   f"{spelled} ({qual}) is torch.distributed, which torch.jit.script cannot compile: read what you "
                   f"need in `__init__` into a typed attribute, or keep it outside the compiled code (under "
                   f"`if not torch.jit.is_scripting():`)")
