from typing import Optional

import libcst as cst

from ..analysis.trace_dims import DEVICE as VARIES_DEVICE
from ..analysis.tracing import tensor_requires
from ..analysis.typecheck.lattice import DEVICE, STR, TENSOR, kind
from .base import TRACE, Example, Rule

# torch.nn recurrent layers: called without an initial state, their forward creates a zero
# state with ``device=input.device``, which the tracer records as a constant (torch's own code)
_RECURRENT = frozenset({"LSTM", "GRU", "RNN"})

# torch factories with a Tensor-method twin that takes the device (and dtype) from a Tensor
_NEW = {"torch.zeros": "new_zeros", "torch.ones": "new_ones", "torch.empty": "new_empty", "torch.full": "new_full"}


def _device_expr(node: cst.BaseExpression, ctx) -> Optional[str]:
    """Describe ``node`` if it is a device read from a Tensor/module at run time (not a literal)."""
    if isinstance(node, cst.Attribute) and node.attr.value == "device":
        return f"`{ctx.code_of(node)}`"
    t = ctx.type_of(node)
    if t != DEVICE:
        return None
    if isinstance(node, cst.Call):
        # torch.device("cuda") / torch.device("cpu", 0): hard-coded, eager is bound to it as well
        if all(isinstance(a.value, (cst.SimpleString, cst.Integer)) or ctx.type_of(a.value) == STR and
               isinstance(a.value, cst.SimpleString) for a in node.args):
            return None
    return f"`{ctx.code_of(node)}`"


class BakedDevice(Rule):
    """
    ## What it does
    Flags devices read at run time and passed to operations in code that runs while
    ``torch.jit.trace`` traces: ``torch.zeros(n, device=x.device)``,
    ``torch.arange(n, device=x.device)``, ``y.to(x.device)``, ``y.to(device=...)`` and
    ``y.to(other_tensor)``, and ``nn.LSTM``/``nn.GRU``/``nn.RNN`` submodules called without
    an initial state (their own ``forward`` creates the zero state on the input's device),
    also in a base class's method when a subclass installs the recurrent layer over the
    attribute that method calls.

    ## Why is this bad?
    The tracer records the device as a constant: the traced model creates or moves Tensors to
    the device of the *example* input. Run on another device (traced on CPU, deployed on GPU,
    or the other way round), it fails ("Tensor on device cpu is not on the expected device")
    or, when the new Tensor is returned directly, silently returns it on the wrong device. No
    ``TracerWarning`` is emitted. Hard-coded devices (``torch.zeros(n)``, ``.cpu()``,
    ``device="cuda"``) bind eager code to the same device and are not reported.

    ## Example
    ```python
    def forward(self, x):
        z = torch.zeros(x.shape[0], 1, device=x.device)
        return x + z
    ```

    ## Use instead
    Derive new Tensors from an input, so the device (and dtype) follows it at run time:
    ```python
    def forward(self, x):
        z = x.new_zeros(x.shape[0], 1)
        return x + z
    ```
    (``torch.zeros_like(x)``, ``x.new_ones(...)``, ``x.new_full(...)``;
    ``torch.ones_like(x[:, 0]).cumsum(0) - 1`` for an ``arange``.)

    ## Fix safety
    ``torch.zeros/ones/empty/full(..., device=x.device)`` becomes ``x.new_zeros/...(...)``.
    With an explicit ``dtype=`` the result is the same in eager mode and the fix is safe;
    without one, ``new_*`` takes ``x``'s dtype instead of the default dtype, so it is
    offered as unsafe.
    """

    code = "JIT308"
    name = "baked-device"
    message = "a device read at run time is a constant in the trace"
    mode = TRACE
    varies = (VARIES_DEVICE,)
    fix_safety = "unsafe"
    evidence = ("t013", "t015", "t045")

    INVALID = [
        Example(
            """
            import torch

            def fn(x):
                z = torch.zeros(x.shape[0], 1, device=x.device)  # MARK
                return x + z
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3, 2),), (torch.ones(5, 2, device='meta'),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    return torch.arange(x.shape[0], device=x.device)  # MARK
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3, 2),), (torch.ones(5, 2, device='meta'),)]",
        ),
        Example(
            """
            import torch

            def fn(x, w):
                return (x * 2).to(w.device) + w  # MARK
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(2), torch.ones(2)), (torch.ones(2), torch.ones(2, device='meta'))]",
        ),
        Example(
            """
            import torch

            def fn(x):
                device = x.device
                return x + torch.full((x.shape[0],), 2.0, dtype=x.dtype, device=device)  # MARK
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3),), (torch.ones(5, device='meta'),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.rnn = nn.GRU(4, 8, batch_first=True)

                def forward(self, x):
                    out, _ = self.rnn(x)  # MARK
                    return out

            def check(traced, make):
                # the zero initial state is created with a device constant of the graph
                for node in traced.inlined_graph.nodes():
                    if node.kind() == "aten::zeros":
                        device = list(node.inputs())[3].node()
                        if device.kind() == "prim::Constant" and 'value="cpu"' in str(device):
                            return True
                return False
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.randn(2, 5, 4),)]", check="check",
        ),
        Example(
            """
            import torch
            from torch import nn

            class Passthrough(nn.Module):
                def forward(self, x: torch.Tensor):
                    return x, x

            class Base(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.rnn = Passthrough()

                def forward(self, x):
                    out, _ = self.rnn(x)  # MARK
                    return out

            class WithGRU(Base):
                # the subclass installs a GRU over the base's Passthrough: the inherited
                # forward runs the GRU for this class (timm sequencer2d's LSTM2d)
                def __init__(self):
                    super().__init__()
                    self.rnn = nn.GRU(4, 8, batch_first=True)

            def check(traced, make):
                for node in traced.inlined_graph.nodes():
                    if node.kind() == "aten::zeros":
                        device = list(node.inputs())[3].node()
                        if device.kind() == "prim::Constant" and 'value="cpu"' in str(device):
                            return True
                return False
            """,
            root="WithGRU", mode=TRACE, expect="trace-diverge", inputs="[(torch.randn(2, 5, 4),)]", check="check",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from torch import nn

            def jitter(x, augment: bool = False):
                if augment:  # no traced caller passes True: the tracer never runs this
                    return x + torch.zeros(x.shape[-1], device=x.device).uniform_(-0.1, 0.1)
                return x

            class M(nn.Module):
                def scaled(self, x, shift):
                    if shift is not None:
                        x = x + torch.arange(x.shape[-1], device=x.device) * shift
                    return x * 2

                def forward(self, x):
                    return self.scaled(jitter(x, augment=False), None)
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3, 2),), (torch.ones(5, 2, device='meta'),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.rnn = nn.GRU(4, 8, batch_first=True)

                def forward(self, x):
                    h0 = x.new_zeros(1, x.shape[0], 8)
                    out, _ = self.rnn(x, h0)
                    return out
            """,
            root="M", mode=TRACE, expect="trace-diverge", inputs="[(torch.randn(2, 5, 4),), (torch.randn(3, 7, 4),)]",
        ),
        Example(
            """
            import torch

            def fn(x):
                z = x.new_zeros(x.shape[0], 1)
                return x + z + torch.zeros_like(x) + x.new_full((x.shape[0], 1), 2.0, dtype=x.dtype)
            """,
            mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3, 2),), (torch.ones(5, 2, device='meta'),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def forward(self, x):
                    idx = torch.ones_like(x[:, 0], dtype=torch.long).cumsum(0) - 1
                    cpu = torch.zeros(2, device="cpu") + torch.zeros(2, device=torch.device("cpu"))
                    return idx.to(x.dtype), cpu.sum().to(torch.float32)
            """,
            root="M", mode=TRACE, expect="trace-diverge",
            inputs="[(torch.ones(3, 2),), (torch.ones(5, 2),)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not node.args or not isinstance(func, cst.Attribute):
            return
        if len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star:
            layer = ctx.type_of(func)
            if kind(layer) == "module" and str(layer[1]).startswith("torch.nn.") \
                    and str(layer[1]).rsplit(".", 1)[-1] in _RECURRENT:
                name = str(layer[1]).rsplit(".", 1)[-1]
                ctx.report(node, f"`{ctx.code_of(func)}` ({name}) is called without an initial state: its forward "
                                 f"creates the zero state on the example input's device, a constant in the trace "
                                 f"(traced on CPU, run on GPU, it fails). Pass the state, e.g. "
                                 f"`h0 = x.new_zeros(num_layers * num_directions, batch, hidden)`")
                return
        if func.attr.value == "to" and ctx.resolve(func) is None:
            self._to(node, func, ctx)
            return
        device_arg = next((a for a in node.args if a.keyword is not None and a.keyword.value == "device"), None)
        if device_arg is None:
            return
        desc = _device_expr(device_arg.value, ctx)
        if desc is None:
            return
        qual = ctx.resolve(func)
        if qual is None:
            if tensor_requires(func.value, ctx) is None:
                return  # a method of something else (a user object, a module) may use its argument
            target = f"`.{func.attr.value}()`"
        elif qual.startswith("torch.") and qual.count(".") == 1:
            target = f"`{qual}()`"
        else:
            return
        ctx.report(node, f"{target} with `device={ctx.code_of(device_arg.value)}` records the example input's device "
                         f"as a constant: the traced model keeps creating this Tensor there. Derive it from a Tensor "
                         f"instead (`x.new_zeros(...)`, `torch.zeros_like(x)`)", fix=self._fix(node, qual, device_arg, ctx))

    def _to(self, node: cst.Call, func: cst.Attribute, ctx) -> None:
        if tensor_requires(func.value, ctx) is None:
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value != "device":
                continue
            desc = _device_expr(arg.value, ctx)
            if desc is None and arg.keyword is None and ctx.type_of(arg.value) == TENSOR:
                desc = f"the device of `{ctx.code_of(arg.value)}`"
            if desc is not None:
                ctx.report(node, f"`.to({ctx.code_of(arg.value)})` moves to {desc} as recorded while tracing: the traced "
                                 f"model always moves this Tensor to the example input's device. Build it from that "
                                 f"Tensor (`other.new_*`, `*_like`) or move inputs outside the model")
                return
            if arg.keyword is None:
                return  # only the first positional argument can be a device

    @staticmethod
    def _fix(node: cst.Call, qual: Optional[str], device_arg: cst.Arg, ctx):
        method = _NEW.get(qual or "")
        value = device_arg.value
        if method is None or not (isinstance(value, cst.Attribute) and value.attr.value == "device"):
            return None
        owner = value.value
        if ctx.type_of(owner) != TENSOR or not isinstance(owner, (cst.Name, cst.Attribute)):
            return None
        keep = []
        has_dtype = False
        for arg in node.args:
            if arg is device_arg:
                continue
            if arg.keyword is not None and arg.keyword.value not in ("dtype",):
                return None  # layout=, requires_grad=, pin_memory=, out=: keep the code as it is
            if arg.star:
                return None
            has_dtype = has_dtype or (arg.keyword is not None and arg.keyword.value == "dtype")
            keep.append(arg)
        args = ", ".join(
            (f"{a.keyword.value}={ctx.code_of(a.value)}" if a.keyword is not None else ctx.code_of(a.value))
            for a in keep
        )
        code = f"{ctx.code_of(owner)}.{method}({args})"
        if has_dtype:
            return ctx.safe_fix(f"Use `{code}`", [(node, code)])
        return ctx.unsafe_fix(f"Use `{code}` (the dtype becomes `{ctx.code_of(owner)}.dtype`)", [(node, code)])
