"""Trace false positives of bench/corpus that a deployment's ``trace-dynamic`` declaration
explains, each in a few lines of our own (the library line it stands for is named).

The ground truth varies the batch size, the spatial size / sequence length and the device
(``bench/corpus/compare.py``: ``GROUND_TRUTH_VARIES``); it keeps dtypes, ranks, autograd state,
configuration sizes and the call's arguments. For each fixture the real tracer shows what the
ground truth saw (the trace matches eager on other batch and sequence sizes), jitlint names
the group the finding depends on, and a project declaring ``batch, sequence, device`` does not
see it; the finding stays reported by default, and the fixture also holds what would break it.
"""

from __future__ import annotations

import textwrap
import warnings

import pytest

torch = pytest.importorskip("torch")

from compiler import load_example, trace_verdict  # noqa: E402
from jitlint.linter.config import Settings  # noqa: E402
from jitlint.linter.engine import check_source  # noqa: E402

GROUND_TRUTH_VARIES = ["batch", "sequence", "device"]


def trace_findings(source: str, root: str, dynamic=None):
    s = Settings(select=["ALL"], modes=["trace"], trace_roots=[root], trace_dynamic=dynamic)
    return [f for f in check_source(textwrap.dedent(source), "model.py", s) if f.code.startswith("JIT3")]


# timm layers/attention.py:35 (5 timm models): `attn_mask.dtype == torch.bool` builds an additive
# bias from a boolean mask; the measurement passes float masks only.
MASK_DTYPE = ("""
import torch
from torch import nn


def mask_bias(attn, attn_mask):
    if attn_mask.dtype == torch.bool:
        bias = torch.zeros_like(attn_mask, dtype=attn.dtype)
        return bias.masked_fill(~attn_mask, float("-inf"))
    return attn_mask


class Attn(nn.Module):
    def forward(self, x, mask):
        attn = x @ x.transpose(-1, -2)
        return (attn + mask_bias(attn, mask)).softmax(-1)
""", "Attn", "JIT305", ("dtype",),
    "(torch.rand(1, 3, 4), torch.zeros(1, 3, 3))",
    ["(torch.rand(2, 5, 4), torch.zeros(2, 5, 5))", "(torch.rand(3, 7, 4), torch.full((3, 7, 7), -1.0))"],
    "(torch.rand(1, 3, 4), torch.tensor([[[True, False, True]] * 3]))")

# transformers deberta_v2 modeling_deberta_v2.py:596/599: `attention_mask.dim() <= 2` extends a
# 2-D padding mask; a 3-D mask is never passed.
MASK_RANK = ("""
import torch
from torch import nn


class Encoder(nn.Module):
    def forward(self, x, attention_mask):
        if attention_mask.dim() <= 2:
            mask = attention_mask[:, None, :]
        else:
            mask = attention_mask * 2
        return (x * mask.transpose(-1, -2)).sum(-1)
""", "Encoder", "JIT305", ("rank",),
    "(torch.rand(1, 7, 4), torch.ones(1, 7))",
    ["(torch.rand(2, 13, 4), torch.ones(2, 13))", "(torch.rand(3, 21, 4), torch.zeros(3, 21))"],
    "(torch.rand(1, 7, 4), torch.ones(1, 1, 7))")

# timm densenet.py:76: gradient checkpointing only when an input requires grad; the measurement
# traces and runs under no_grad.
REQUIRES_GRAD = ("""
import torch
from torch import nn


class Dense(nn.Module):
    def forward(self, x):
        if x.requires_grad:
            return x * 3
        return x + 1
""", "Dense", "JIT305", ("autograd",),
    "(torch.ones(1, 3, 8, 8),)", ["(torch.ones(2, 3, 6, 10),)", "(torch.ones(3, 3, 9, 7),)"],
    "(torch.ones(1, 3, 8, 8, requires_grad=True),)")

# transformers masking_utils.py:879 (22 models): a branch comparing a batch size with another
# tensor's first dimension. It depends on the batch size, which the ground truth varies: it
# stays reported under the declaration too (and here the trace does break on another batch).
BATCH_CHECK = ("""
import torch
from torch import nn


class Masks(nn.Module):
    def forward(self, x, position_ids):
        batch_size = x.shape[0]
        if batch_size != position_ids.shape[0]:
            position_ids = position_ids.expand(batch_size, -1) * 2
        return x + position_ids.unsqueeze(-1)
""", "Masks", "JIT305", ("batch",),
    "(torch.rand(1, 5, 2), torch.arange(5.0).unsqueeze(0))", ["(torch.rand(1, 9, 2), torch.arange(9.0).unsqueeze(0))"],
    "(torch.rand(2, 5, 2), torch.arange(5.0).unsqueeze(0))")


@pytest.mark.parametrize("case", [MASK_DTYPE, MASK_RANK, REQUIRES_GRAD, BATCH_CHECK],
                         ids=["timm-mask-dtype", "deberta-mask-rank", "densenet-requires-grad", "masking-utils-batch"])
def test_declared_deployment(case):
    source, root, rule, varies, example, others, breaking = case
    found = [f for f in trace_findings(source, root) if f.code == rule]
    assert found and all(f.varies == varies for f in found), [(f.varies, f.message) for f in found]
    module = load_example(textwrap.dedent(source))
    args = [eval(e, {"torch": torch}) for e in [example] + others]  # noqa: S307 - fixture data
    verdict, detail = trace_verdict(module, root, args)
    assert verdict == "matches", detail  # what the ground truth measured
    verdict, _ = trace_verdict(module, root, [args[0], eval(breaking, {"torch": torch})])  # noqa: S307
    assert verdict in ("diverges", "fails")  # the finding is real for the group it names
    declared = [f for f in trace_findings(source, root, GROUND_TRUTH_VARIES) if f.code == rule]
    assert bool(declared) == bool(set(varies) & set(GROUND_TRUTH_VARIES))


# transformers `forward(self, input_ids, attention_mask=None)` traced with input_ids alone
# (JIT312 on 25 transformers models): the trace has no `attention_mask` input. Calling it with
# one fails; the ground truth calls every trace like its example, so it never sees that.
OPTIONAL_ARGUMENT = """
import torch
from torch import nn


class Model(nn.Module):
    def forward(self, input_ids, attention_mask=None):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        return input_ids * attention_mask


traced = torch.jit.trace(Model(), (torch.ones(1, 7),))
"""


def test_optional_argument_is_about_arguments():
    (f,) = [f for f in trace_findings(OPTIONAL_ARGUMENT, "Model") if f.code == "JIT312"]
    assert f.varies == ("arguments",)
    assert not [f for f in trace_findings(OPTIONAL_ARGUMENT, "Model", GROUND_TRUTH_VARIES) if f.code == "JIT312"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = load_example(OPTIONAL_ARGUMENT)
        x = torch.full((3, 11), 2.0)
        assert torch.equal(module.traced(x), module.Model()(x))  # called like its example: fine
        with pytest.raises(RuntimeError):
            module.traced(torch.ones(1, 7), torch.zeros(1, 7))  # called with the argument: fails
