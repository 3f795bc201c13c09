from typing import Optional

import libcst as cst

from ..analysis.syntax import iter_descendants
from ..analysis.typecheck.lattice import TENSOR
from .base import Example, Rule

# Device types that exist only on some machines. "cpu" exists everywhere (a model that moves
# results to the CPU still runs wherever it is deployed) and "meta" is not a deployment target.
_ACCELERATORS = ("cuda", "mps", "xpu", "hpu", "npu", "xla", "privateuseone")


def _accelerator(node: cst.BaseExpression) -> Optional[str]:
    """The device string of a literal naming an accelerator (``"cuda"``, ``"cuda:0"``...)."""
    if not isinstance(node, cst.SimpleString):
        return None
    try:
        value = node.evaluated_value
    except Exception:  # noqa: BLE001 - malformed literal
        return None
    if not isinstance(value, str):
        return None
    kind = value.split(":", 1)[0].strip().lower()
    return value if kind in _ACCELERATORS else None


def _guarded(ctx) -> bool:
    """Inside a branch that tests the device (``if x.is_cuda:``, ``if x.device.type == "cuda":``)."""
    for test in ctx.conditions:
        for n in (test, *iter_descendants(test)):
            if isinstance(n, cst.Attribute) and n.attr.value in ("is_cuda", "device", "is_mps", "is_xpu"):
                return True
            if isinstance(n, cst.SimpleString) and _accelerator(n):
                return True
    return False


class HardcodedDevice(Rule):
    """
    ## What it does
    Flags device literals naming an accelerator in code that ``torch.jit.script`` compiles:
    ``x.cuda()``, ``x.to("cuda")``, ``x.to(device="cuda:0")``, ``torch.device("cuda")`` and
    ``device="cuda"`` in factory calls (``torch.zeros(..., device="cuda")``). Moves inside a
    branch that tests the device (``if x.is_cuda:``) are not reported. (JIT308 is the
    counterpart for traced code.)

    ## Why is this bad?
    A scripted model is saved with its code: the device string goes with it, and the model
    then needs that device wherever it is loaded. On a CPU-only server (or another
    accelerator) it fails at run time ("PyTorch is not linked with support for cuda devices",
    "Cannot initialize CUDA without ATen_cuda library"); with several GPUs it silently moves
    data to device 0. Deriving the device from an input (``x.to(other.device)``,
    ``torch.zeros(n, device=x.device)``) keeps the model portable. ``.cpu()`` and ``"cpu"`` are
    not reported: every deployment has a CPU, so such code still runs (moving results to the
    host is usually deliberate, e.g. for post-processing).

    ## Example
    ```python
    def forward(self, x):
        mask = torch.ones(x.shape[0], device="cuda")
        return x.cuda() * mask
    ```

    ## Use instead
    ```python
    def forward(self, x):
        mask = torch.ones(x.shape[0], device=x.device)
        return x * mask
    ```

    ## Fix safety
    No automatic fix: which tensor's device the code should follow is a design decision.
    """

    code = "JIT503"
    name = "hardcoded-device"
    message = "hard-coded accelerator device in compiled code"
    evidence = ("s512", "s508")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x.cuda() + 1  # MARK
            """,
            expect="runtime-fails",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    mask = torch.ones(x.shape[0], device="cuda:0")  # MARK
                    return x * mask
            """,
            root="M",
            expect="runtime-fails",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                dev = torch.device("cuda")  # MARK
                return x.to(dev)
            """,
            expect="runtime-fails",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x.to("cuda", non_blocking=True)  # MARK
            """,
            expect="runtime-fails",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, other: torch.Tensor) -> torch.Tensor:
                mask = torch.ones(x.shape[0], device=x.device)
                y = x.to(other.device) * mask
                if x.device.type == "cuda" or x.dtype == torch.float16:
                    y = y.float()
                if x.is_cuda:
                    y = y.cuda()
                d = torch.device("cpu")
                return y.to(d).cpu()
            """,
            inputs="[(torch.ones(3), torch.ones(3))]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method == "cuda":
                if ctx.type_of(func.value) == TENSOR and not _guarded(ctx):
                    ctx.report(node, "`.cuda()` hard-codes the CUDA device: the scripted model then fails where no "
                                     "GPU is available (and ignores the device of its inputs); use "
                                     "`.to(<input>.device)` or keep tensors on their input's device")
                return
            if method == "to":
                for arg in node.args:
                    if (arg.keyword is None and not arg.star) or (arg.keyword is not None and arg.keyword.value == "device"):
                        device = _accelerator(arg.value)
                        if device is not None:
                            self._report(node, f"`.to({ctx.code_of(arg.value)})`", device, ctx)
                            return
                return
        device_kw = next((a for a in node.args if a.keyword is not None and a.keyword.value == "device"), None)
        if device_kw is not None:
            device = _accelerator(device_kw.value)
            if device is not None and self._torch_call(node, ctx):
                self._report(device_kw, f"`device={ctx.code_of(device_kw.value)}`", device, ctx)
            return
        if isinstance(func, (cst.Name, cst.Attribute)) and node.args and node.args[0].keyword is None:
            if ctx.resolve(func) == "torch.device":
                device = _accelerator(node.args[0].value)
                if device is not None:
                    self._report(node, f"`torch.device({ctx.code_of(node.args[0].value)})`", device, ctx)

    @staticmethod
    def _torch_call(node: cst.Call, ctx) -> bool:
        func = node.func
        qual = ctx.resolve(func) if isinstance(func, (cst.Name, cst.Attribute)) else None
        if qual is not None:
            return qual.startswith("torch.")
        return isinstance(func, cst.Attribute) and ctx.type_of(func.value) == TENSOR

    def _report(self, node: cst.CSTNode, shown: str, device: str, ctx) -> None:
        if _guarded(ctx):
            return
        ctx.report(node, f"{shown} hard-codes the device `{device}`: the scripted model carries it and fails "
                         f"wherever it is deployed without that device; derive the device from an input "
                         f"(`x.device`) instead")
