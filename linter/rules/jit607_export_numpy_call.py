import libcst as cst

from .base import EXPORT, Example, Rule


class ExportNumpyCall(Rule):
    """
    ## What it does
    Flags ``.numpy()`` on a Tensor in code ``torch.export.export`` runs.

    ## Why is this bad?
    Export runs ``forward`` on fake Tensors, which have no data: ``.numpy()`` raises
    ("RuntimeError: .numpy() is not supported for tensor subclasses", torch 2.13, non-strict)
    and export fails. NumPy scalars and constants computed outside ``forward`` are fine.

    ## Example
    ```python
    def forward(self, x):
        return torch.from_numpy(np.tanh(x.numpy()))
    ```

    ## Use instead
    The torch equivalent of the NumPy function:
    ```python
    def forward(self, x):
        return torch.tanh(x)
    ```

    ## Fix safety
    No fix.
    """

    code = "JIT607"
    name = "export-numpy-call"
    message = "`.numpy()` of a Tensor fails in torch.export"
    mode = EXPORT

    INVALID = [
        Example(
            """
            import numpy as np
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    return torch.from_numpy(np.tanh(x.numpy()))  # MARK
            """,
            root="M", mode=EXPORT, expect="export-fails",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 5),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import numpy as np
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.register_buffer("table", torch.from_numpy(np.arange(3, dtype=np.float32)))

                def forward(self, x):
                    return torch.tanh(x) + self.table.sum()
            """,
            root="M", mode=EXPORT, expect="export-fails",
            inputs="[(torch.ones(4, 3),), (torch.ones(6, 5),)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "numpy" or node.args:
            return
        if ctx.type_of(func.value) != "tensor":
            return
        ctx.report(node, f"`{ctx.code_of(node)}` reads a Tensor's data, which export does not have (it runs "
                         f"forward on fake Tensors): export fails. Use the torch equivalent")
