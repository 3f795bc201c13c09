"""Issue 11 (script parts): per-subclass attribute types, lists through submodule calls,
argument constants into callees. Each fixture is shaped like the timm code it stands for and
is held against the real compiler or tracer.
"""

from __future__ import annotations

import textwrap

import pytest
import torch

from compiler import load_example, script_verdict
from jitlint.linter.config import Settings
from jitlint.linter.engine import check_source


def lint(source: str, mode: str, roots=(), auto_roots: bool = True):
    settings = Settings(select=["ALL"], modes=[mode], script_roots=list(roots) if mode == "script" else [],
                        trace_roots=list(roots) if mode == "trace" else [], auto_roots=auto_roots)
    return check_source(textwrap.dedent(source), "model.py", settings)


def line_of(source: str, text: str) -> int:
    return next(i for i, line in enumerate(textwrap.dedent(source).splitlines(), 1) if text in line)


def codes_at(findings, code):
    return [(f.code, f.row) for f in findings if f.code == code]


# timm sequencer2d: the base class's forward calls self.rnn_v, an RNNIdentity in the base; the
# subclass LSTM2d installs an nn.LSTM over it. Traced, LSTM2d's forward runs the LSTM without an
# initial state, whose zero state is created on the example input's device (baked).
SEQUENCER = """
from typing import Tuple

import torch
from torch import nn


class RNNIdentity(nn.Module):
    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, None]:
        return x, None


class RNN2dBase(nn.Module):
    def __init__(self, input_size: int = 8, hidden_size: int = 4):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnn_v = RNNIdentity()
        self.fc = nn.Linear(2 * hidden_size, input_size)

    def forward(self, x):
        B, H, W, C = x.shape
        v = x.permute(0, 2, 1, 3).reshape(-1, H, C)
        v, _ = self.rnn_v(v)
        v = v.reshape(B, W, H, -1).permute(0, 2, 1, 3)
        return self.fc(v)


class LSTM2d(RNN2dBase):
    def __init__(self, input_size: int = 4, hidden_size: int = 4):
        super().__init__(input_size, hidden_size)
        self.rnn_v = nn.LSTM(input_size, hidden_size, batch_first=True, bidirectional=True)
"""


def _trace_then_meta(cls, channels):
    model = cls().eval()
    with torch.no_grad():
        traced = torch.jit.trace(model, (torch.rand(2, 3, 5, channels),))
    traced.to("meta")
    model.to("meta")
    x = torch.rand(3, 3, 5, channels, device="meta")
    assert model(x).device.type == "meta"  # eager follows the input's device
    try:
        traced(x)
    except RuntimeError:
        return "baked"
    return "follows"


def test_subclass_lstm_over_base_identity_is_reported_in_the_base_forward():
    findings = lint(SEQUENCER, "trace")
    assert codes_at(findings, "JIT308") == [("JIT308", line_of(SEQUENCER, "v, _ = self.rnn_v(v)"))]
    assert "(LSTM)" in next(f.message for f in findings if f.code == "JIT308")
    module = load_example(textwrap.dedent(SEQUENCER))
    assert _trace_then_meta(module.LSTM2d, 4) == "baked"
    assert _trace_then_meta(module.RNN2dBase, 8) == "follows"


def test_base_traced_alone_is_not_reported():
    # only the base is traced: its forward runs RNNIdentity, nothing is baked
    findings = lint(SEQUENCER, "trace", roots=["RNN2dBase"], auto_roots=False)
    assert codes_at(findings, "JIT308") == []
    findings = lint(SEQUENCER, "trace", roots=["LSTM2d"], auto_roots=False)
    assert codes_at(findings, "JIT308") == [("JIT308", line_of(SEQUENCER, "v, _ = self.rnn_v(v)"))]


# timm hrnet_w18_small: a stage is built by a method that returns it with its channel count
# (`self.stage2, pre = self._make_stage(...)`), an nn.Sequential subclass whose forward(self, x)
# is unannotated; the stage is called with the list the transitions produce (ModuleList of
# mixed Identity/Sequential). The compiler types x as a Tensor and rejects the call.
HRNET = """
from typing import List

import torch
from torch import nn


class Branches(nn.Module):
    def __init__(self, n: int = 2):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(4, 4, 3, padding=1) for _ in range(n)])

    def forward(self, x: List[torch.Tensor]) -> List[torch.Tensor]:
        out: List[torch.Tensor] = []
        for i, conv in enumerate(self.convs):
            out.append(conv(x[i]))
        return out


class SequentialList(nn.Sequential):
    def __init__(self, *args):
        super().__init__(*args)

    def forward(self, x{ann}) -> List[torch.Tensor]:
        for module in self:
            x = module(x)
        return x


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.transition = nn.ModuleList([nn.Identity(), nn.Sequential(nn.Conv2d(4, 4, 3, stride=2, padding=1))])
        self.stage, self.out_channels = self._make_stage(2)

    def _make_stage(self, n):
        modules = [Branches(2) for _ in range(n)]
        return SequentialList(*modules), 4

    def forward(self, x):
        x = self.stem(x)
        xl = [t(x) for t in self.transition]
        yl = self.stage(xl)
        return yl[-1]
"""


def test_list_into_an_unannotated_submodule_forward_is_reported():
    source = HRNET.replace("{ann}", "")
    assert codes_at(lint(source, "script"), "JIT212") == [("JIT212", line_of(source, "yl = self.stage(xl)"))]
    module = load_example(textwrap.dedent(source))
    with pytest.raises(RuntimeError, match=r"Expected a value of type 'Tensor \(inferred\)' for argument 'x' "
                                           r"but instead found type 'List\[Tensor\]'"):
        torch.jit.script(module.Net())


def test_annotated_submodule_forward_is_fine_and_not_reported():
    source = HRNET.replace("{ann}", ": List[torch.Tensor]")
    assert [f.code for f in lint(source, "script") if f.code.startswith(("JIT1", "JIT2"))] == []
    module = load_example(textwrap.dedent(source))
    verdict, detail = script_verdict(module, "Net", [(torch.rand(1, 3, 8, 8),), (torch.rand(2, 3, 6, 6),)])
    assert verdict == "matches", detail


# Argument constants. The premise was that a helper called only with a constant
# argument has its branch on that argument folded "as the compiler does". For torch.jit.script
# that is wrong: a function is compiled once, generically, and both sides of a branch on a bool
# parameter are compiled whatever the callers pass. So script findings there stay.
SCRIPT_CONSTANT_ARGUMENT = """
import torch
from torch import nn


def build(x: torch.Tensor, augment: bool = False) -> torch.Tensor:
    if augment:
        try:
            x = x * 2
        except RuntimeError:
            pass
    return x + 1


class Embed(nn.Module):
    def forward(self, x):
        return build(x, augment=False)


class Helper(nn.Module):
    def helper(self, x: torch.Tensor, flag: bool) -> torch.Tensor:
        if flag:
            return x.no_such_method()
        return x

    def forward(self, x):
        return self.helper(x, False)
"""


def test_script_compiles_both_sides_of_a_branch_on_a_constant_argument():
    findings = lint(SCRIPT_CONSTANT_ARGUMENT, "script")
    assert codes_at(findings, "JIT101") == [("JIT101", line_of(SCRIPT_CONSTANT_ARGUMENT, "try:"))]
    module = load_example(textwrap.dedent(SCRIPT_CONSTANT_ARGUMENT))
    assert script_verdict(module, "Embed", [(torch.ones(2),)])[0] == "rejected"
    with pytest.raises(RuntimeError, match="no_such_method"):
        torch.jit.script(module.Helper())


# timm layers/pos_embed_sincos.py (RotaryEmbeddingCat): get_embed passes
# augment=self.training and self.aug_active to _build_embed, which passes
# shift=self.shift if augment else None on to a builder that augments the grid only when
# shift is not None. Traced in eval mode, the augmentation (random values drawn on the grid's
# device) never runs, so its device is not baked into the trace.
ROTARY = """
from typing import List, Optional

import torch
from torch import nn


def apply_coord_augs(grid: torch.Tensor, shift: Optional[float] = None) -> torch.Tensor:
    device = grid.device
    if shift is not None:
        shift_hw = torch.empty(grid.shape[-1], device=device).uniform_(-shift, shift)
        grid = grid + shift_hw
    return grid


def build_fourier_pos_embed(shape: List[int], bands: torch.Tensor, shift: Optional[float] = None):
    grid = torch.stack(torch.meshgrid([bands.new_ones(s).cumsum(0) for s in shape], indexing="ij"), dim=-1)
    if shift is not None:
        grid = apply_coord_augs(grid, shift)
    pos = grid.unsqueeze(-1) * bands
    return pos.sin(), pos.cos()


class Rotary(nn.Module):
    def __init__(self, shift: float = 0.5):
        super().__init__()
        self.shift = shift
        self.aug_active = True
        self.bands = nn.Parameter(torch.linspace(1.0, 4.0, 4))

    def _build_embed(self, shape: List[int], augment: bool = False):
        return build_fourier_pos_embed(shape, self.bands, shift=self.shift if augment else None)

    def forward(self, x):
        sin, cos = self._build_embed(x.shape[2:], augment=self.training and self.aug_active)
        return x.flatten(2).sum(1, keepdim=True) + sin.flatten(0, 1).sum() * cos.flatten(0, 1).sum()
"""


def _meta_run(cls):
    model = cls().eval()
    with torch.no_grad():
        traced = torch.jit.trace(model, (torch.rand(2, 3, 4, 5),))
    traced.to("meta")
    try:
        traced(torch.rand(2, 3, 4, 5, device="meta"))
    except RuntimeError:
        return "baked"
    return "follows"


def test_trace_folds_a_branch_no_traced_caller_takes():
    findings = lint(ROTARY, "trace")
    assert [f for f in findings if f.code in ("JIT308", "JIT309")] == []
    module = load_example(textwrap.dedent(ROTARY))
    assert _meta_run(module.Rotary) == "follows"


def test_trace_keeps_the_branch_when_a_traced_caller_takes_it():
    source = ROTARY.replace("augment=self.training and self.aug_active", "augment=self.aug_active")
    findings = lint(source, "trace")
    assert codes_at(findings, "JIT308") == [("JIT308", line_of(source, "shift_hw = torch.empty"))]
    module = load_example(textwrap.dedent(source))
    assert _meta_run(module.Rotary) == "baked"


def test_script_mode_is_not_folded_by_argument_constants():
    # the same code scripted: both sides of `if shift is not None` are compiled
    findings = lint(ROTARY.replace("shift_hw = torch.empty(grid.shape[-1], device=device)",
                                   "shift_hw = torch.empty(grid.shape[-1], device=device)\n"
                                   "        try:\n            pass\n        except RuntimeError:\n            pass\n"
                                   "        shift_hw = shift_hw"), "script")
    assert [f.code for f in findings if f.code == "JIT101"] == ["JIT101"]


# JIT146 on a transformers-style config object (a class whose __init__ takes **kwargs, kept
# whole on the module and read by forward): reported at the read, naming the assignment.
CONFIG_OBJECT = """
import torch
from torch import nn


class ModelConfig:
    def __init__(self, hidden_size: int = 4, layer_norm_eps: float = 1e-5, **kwargs):
        self.hidden_size = hidden_size
        self.layer_norm_eps = layer_norm_eps
        for key, value in kwargs.items():
            setattr(self, key, value)


class Block(nn.Module):
    def __init__(self, config: ModelConfig = ModelConfig()):
        super().__init__()
        self.config = config
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)

    def forward(self, x):
        h = self.dense(x)
        return nn.functional.layer_norm(h, (self.config.hidden_size,), eps=self.config.layer_norm_eps)
"""


def test_config_object_reported_at_the_read_naming_the_assignment():
    findings = [f for f in lint(CONFIG_OBJECT, "script") if f.code == "JIT146"]
    assert [f.row for f in findings] == [line_of(CONFIG_OBJECT, "nn.functional.layer_norm")]
    assert "(`self.config = config` in `__init__`)" in findings[0].message
    assert findings[0].fix is not None and findings[0].fix.applicability == "unsafe"
    module = load_example(textwrap.dedent(CONFIG_OBJECT))
    with pytest.raises(RuntimeError, match="failed to convert Python type"):
        torch.jit.script(module.Block())


def test_a_nested_function_parameter_is_not_folded_with_the_outer_one():
    source = """
    import torch
    from torch import nn


    def build(x, augment: bool = False):
        def inner(augment):
            if augment:
                return x + torch.zeros(x.shape[0], device=x.device)
            return x
        return inner(True)


    class Embed(nn.Module):
        def forward(self, x):
            return build(x, augment=False)
    """
    findings = lint(source, "trace")
    assert codes_at(findings, "JIT308") == [("JIT308", line_of(source, "torch.zeros"))]


def test_argument_values_follow_parameters_through_callers_and_join():
    # stage(x, flag) forwards its own parameter: folded only while every traced path passes
    # a falsy value; a second traced caller passing True keeps the branch
    source = """
    import torch
    from torch import nn


    def noisy(x, noise: bool = False):
        if noise:
            return x + torch.zeros(x.shape[0], device=x.device)
        return x


    def stage(x, flag: bool):
        return noisy(x, noise=flag and x.dim() > 1)


    class A(nn.Module):
        def forward(self, x):
            return stage(x, False)
    {more}
    """
    alone = textwrap.dedent(source.replace("{more}", ""))
    assert codes_at(lint(alone, "trace"), "JIT308") == []
    both = source.replace("{more}", """

    class B(nn.Module):
        def forward(self, x):
            return stage(x, True)
    """)
    assert codes_at(lint(both, "trace"), "JIT308") == [("JIT308", line_of(both, "torch.zeros"))]
    # a function that is itself traced (a root) gets unknown arguments
    rooted = alone + "\ntraced = torch.jit.trace(noisy, (torch.ones(2),))\n"
    assert codes_at(lint(rooted, "trace"), "JIT308") == [("JIT308", line_of(rooted, "torch.zeros"))]


def test_argument_value_specs_evaluate_like_python():
    from jitlint.linter.analysis.arg_values import ANY, FALSY, NONE, TRUTHY, evaluate, possible

    p = ("param", "p")
    env = {"p": frozenset({FALSY})}
    assert evaluate(("and", p, ("const", TRUTHY)), env) == {FALSY}
    assert evaluate(("or", p, ("const", NONE)), env) == {NONE}
    assert evaluate(("not", p), env) == {TRUTHY}
    assert evaluate(("if", p, ("const", TRUTHY), ("const", NONE)), env) == {NONE}
    assert evaluate(("notnone", ("if", p, ("?",), ("const", NONE))), env) == {FALSY}
    assert evaluate(("and", ("?",), p), env) == {NONE, FALSY}  # `unknown and False` is falsy
    assert evaluate(p, {}) == ANY
    assert not possible([(p, True)], env) and possible([(p, False)], env)
    assert possible([(p, True)], {"p": frozenset({FALSY, TRUTHY})})


EARLY_EXIT = """
import torch
from torch import nn


def maybe_jitter(x, amount=None):
    if amount is None:
        return x
    return x + torch.empty(x.shape[-1], device=x.device).uniform_(-amount, amount)


class M(nn.Module):
    def forward(self, x):
        return maybe_jitter(x{arg}) * 2
"""


@pytest.mark.parametrize("arg, baked", [("", False), (", 0.0", True)])
def test_early_return_on_a_parameter_folds_the_rest(arg, baked):
    source = EARLY_EXIT.replace("{arg}", arg)
    findings = codes_at(lint(source, "trace"), "JIT308")
    assert findings == ([("JIT308", line_of(source, "torch.empty"))] if baked else [])
    module = load_example(textwrap.dedent(source))
    model = module.M()
    traced = torch.jit.trace(model, (torch.ones(2, 3),))
    traced.to("meta")
    try:
        traced(torch.ones(2, 3, device="meta"))
        result = "follows"
    except RuntimeError:
        result = "baked"
    assert result == ("baked" if baked else "follows")
