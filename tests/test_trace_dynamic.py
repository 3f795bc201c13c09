"""Trace findings grouped by what would have to vary (``varies``), and ``trace-dynamic``.

Each fixture is a trace hazard with the group jitlint gives it. The real tracer holds the
claim that makes suppressing it right: the trace made on the example matches eager on inputs
that vary *only other* groups, and diverges on an input that varies the finding's group. So a
project whose declaration leaves that group out loses nothing by not seeing the finding.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

torch = pytest.importorskip("torch")

from compiler import load_example, trace_verdict  # noqa: E402
from jitlint.linter.analysis.trace_dims import breaks_when, declared, name_group, reported  # noqa: E402
from jitlint.linter.config import ConfigError, Settings, settings_from_table  # noqa: E402
from jitlint.linter.engine import check_source  # noqa: E402


def lint(source: str, root: str, **settings):
    s = Settings(select=["ALL"], modes=["trace"], trace_roots=[root], **settings)
    return [f for f in check_source(textwrap.dedent(source), "model.py", s) if f.code.startswith("JIT3")]


# (source, root, rule, expected varies, example input, inputs varying other groups only, an
# input varying the finding's group)
CASES = {
    "channels-from-unpacking": (
        """
        import torch

        def fn(x):
            B, N, C = x.shape
            if C == 4:
                return x * 3
            return x + 1
        """, "fn", "JIT305", ("channels",),
        "(torch.ones(1, 3, 4),)", ["(torch.ones(2, 5, 4),)", "(torch.ones(3, 9, 4),)"], "(torch.ones(1, 3, 8),)"),
    "batch-by-index": (
        """
        import torch

        def fn(x):
            if x.shape[0] == 1:
                return x * 3
            return x + 1
        """, "fn", "JIT305", ("batch",),
        "(torch.ones(1, 3),)", ["(torch.ones(1, 7),)", "(torch.ones(1, 2),)"], "(torch.ones(4, 3),)"),
    "spatial-by-name": (
        """
        import torch
        from torch import nn

        class M(nn.Module):
            def forward(self, x):
                B, C, H, W = x.shape
                if H != W:
                    x = x.transpose(2, 3)
                return x.sum(2)
        """, "M", "JIT305", ("sequence",),
        "(torch.rand(1, 3, 4, 4),)", ["(torch.rand(2, 3, 4, 4),)", "(torch.rand(5, 7, 4, 4),)"],
        "(torch.rand(1, 3, 4, 6),)"),
    "dtype": (
        """
        import torch

        def fn(x):
            if x.dtype == torch.float64:
                return x * 3
            return x + 1
        """, "fn", "JIT305", ("dtype",),
        "(torch.ones(2, 3, dtype=torch.float64),)", ["(torch.ones(5, 7, dtype=torch.float64),)"],
        "(torch.full((2, 3), 3.0),)"),
    "rank": (
        """
        import torch

        def fn(x):
            if x.dim() == 2:
                return x.sum(1)
            return x * 2
        """, "fn", "JIT305", ("rank",),
        "(torch.ones(3, 2),)", ["(torch.ones(5, 4),)", "(torch.ones(1, 9),)"], "(torch.ones(3),)"),
    "math-of-a-sequence-size": (
        """
        import math
        import torch

        def fn(x):
            B, L, C = x.shape
            side = int(math.sqrt(L))
            return x.reshape(B, side, side, C).sum(1)
        """, "fn", "JIT303", ("sequence",),
        "(torch.rand(1, 4, 3),)", ["(torch.rand(2, 4, 3),)", "(torch.rand(3, 4, 5),)"], "(torch.rand(1, 9, 3),)"),
    "loop-over-the-batch": (
        """
        import torch

        def fn(x):
            out = []
            for i in range(x.shape[0]):
                out.append(x[i] * i)
            return torch.stack(out)
        """, "fn", "JIT306", ("batch",),
        "(torch.ones(3, 2),)", ["(torch.ones(3, 5),)"], "(torch.ones(4, 2),)"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_group_and_what_the_tracer_does(name):
    source, root, rule, varies, example, others, breaking = CASES[name]
    findings = [f for f in lint(source, root) if f.code == rule]
    assert findings, f"{rule} not reported"
    assert all(f.varies == varies for f in findings), [(f.varies, f.message) for f in findings]
    assert all(f.message.endswith(f"({breaks_when(varies)})") for f in findings)
    module = load_example(textwrap.dedent(source))
    args = [eval(e, {"torch": torch}) for e in [example] + others]  # noqa: S307 - fixture data
    verdict, detail = trace_verdict(module, root, args)
    assert verdict == "matches", f"varying other groups than {varies} breaks the trace: {detail}"
    verdict, _ = trace_verdict(module, root, [args[0], eval(breaking, {"torch": torch})])  # noqa: S307
    assert verdict in ("diverges", "fails"), f"varying {varies} does not break the trace"
    # declared away -> silent; declared -> reported; nothing declared -> reported
    silent = [g for g in ("batch", "sequence", "channels", "rank", "dtype") if g not in varies]
    assert not [f for f in lint(source, root, trace_dynamic=silent) if f.code == rule]
    assert [f for f in lint(source, root, trace_dynamic=list(varies)) if f.code == rule]


UNKNOWN_DIM = """
import torch

def fn(x):
    if x.shape[1] > 4:
        return x * 3
    return x + 1
"""


def test_an_unknown_dimension_is_any_size():
    (f,) = [f for f in lint(UNKNOWN_DIM, "fn") if f.code == "JIT305"]
    assert f.varies == ("size",) and f.message.endswith("(breaks when an input size varies)")
    assert lint(UNKNOWN_DIM, "fn", trace_dynamic=["batch"])  # some size varies: it may be this one
    assert not lint(UNKNOWN_DIM, "fn", trace_dynamic=["dtype", "device"])  # no size varies


ALWAYS = """
import torch

def fn(x):
    if x.sum() > 0:
        return x * 2
    return x + x.max().item()
"""


def test_value_findings_are_reported_whatever_is_declared():
    found = lint(ALWAYS, "fn", trace_dynamic=["rank"])
    assert {f.code for f in found} >= {"JIT302", "JIT304"}
    assert all(f.varies == ("values",) for f in found)


def test_groups_helpers():
    assert name_group("seq_len") == "sequence" and name_group("B") == "batch" and name_group("hidden_size") == "channels"
    assert name_group("N") is None and name_group("x") is None
    assert declared(["spatial", "batch"]) == ("batch", "sequence")
    assert set(declared(["all"])) >= {"batch", "dtype", "arguments"}
    assert reported(("size",), ["batch"]) and not reported(("size",), ["device"])
    assert reported(("channels",), None) and not reported(("channels",), ["batch"])
    assert reported((), ["batch"])  # a finding without groups is always reported
    with pytest.raises(ValueError):
        declared(["bacth"])


def test_config_key_and_cli_flag(tmp_path):
    s = settings_from_table({"trace-dynamic": ["batch", "spatial"]}, "pyproject.toml", Settings())
    assert s.trace_dynamic == ["batch", "sequence"]
    with pytest.raises(ConfigError, match="unknown dimension 'bacth'"):
        settings_from_table({"trace-dynamic": ["bacth"]}, "pyproject.toml", Settings())
    with pytest.raises(ConfigError, match="list of strings"):
        settings_from_table({"trace-dynamic": "batch"}, "pyproject.toml", Settings())
    src = textwrap.dedent(CASES["channels-from-unpacking"][0])
    (tmp_path / "model.py").write_text(src + "\n\ntraced = torch.jit.trace(fn, (torch.ones(1, 3, 4),))\n")

    def run(*extra):
        out = subprocess.run([sys.executable, "-m", "jitlint", "check", "--no-cache", "--select", "JIT305",
                              "--output-format", "json", *extra, "model.py"], cwd=tmp_path, capture_output=True,
                             text=True)
        return out.returncode, out.stdout, out.stderr

    rc, out, _ = run()
    found = json.loads(out)
    assert rc == 1 and [f["varies"] for f in found] == [["channels"]]
    rc, out, _ = run("--trace-dynamic", "batch,sequence")
    assert rc == 0 and json.loads(out) == []
    rc, _, err = run("--trace-dynamic", "batch,colour")
    assert rc == 2 and "colour" in err
    (tmp_path / "pyproject.toml").write_text('[tool.jitlint]\ntrace-dynamic = ["batch", "channels"]\n')
    rc, out, _ = run()
    assert rc == 1 and len(json.loads(out)) == 1
    rc, out, _ = run("--output-format", "sarif")
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["properties"] == {"varies": ["channels"]}
