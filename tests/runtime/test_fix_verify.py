"""``jitlint fix --verify`` and ``jitlint.runtime.fix_and_verify`` on real files, with the real
compiler and real worker processes: a kept and verified fix, a fix dropped because it makes a
target worse, a fix no target covers, ``--diff`` writing nothing, exit codes.

The wrong fix is planted in-process, where the fix loop runs (the loop's ``rewrite``), never
by mocking torch: the worker processes verify real files with the real compiler.
"""

import os
import textwrap

import pytest
import torch

from jitlint.linter.cli import main
from jitlint.runtime import fix_and_verify
from jitlint.runtime import fix_verify
from jitlint.runtime.fix_verify import DROPPED, NOT_COVERED, VERIFIED, FixVerifyError

FAST = dict(devices=("cpu", "cuda"), save_load=False, use_cache=False)
FAST_CLI = ["--device", "cpu", "--no-save-load", "--no-progress", "--no-cache"]

FILES = {
    # JIT303 (safe): int() of a size; script passes, the trace warns; the fix keeps eager as is
    "model.py": """
        import torch
        from torch import nn

        from helpers import scale


        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.proj = nn.Linear(4, 4)

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                n = int(x.shape[1])
                return scale(self.proj(x)) / n
        """,
    # JIT201 (safe): `factor=1` unannotated, so script fails before the fix
    "helpers.py": """
        import torch


        def scale(x, factor=1):
            return x * factor
        """,
    # imported by no target: its fix is not covered
    "other.py": """
        import torch
        from torch import nn


        class Other(nn.Module):
            def forward(self, x: torch.Tensor) -> torch.Tensor:
                return x.sum(1) / int(x.shape[1])
        """,
    "cases.py": """
        import torch

        from model import Head


        def head():
            torch.manual_seed(0)
            return Head().eval(), [(torch.randn(2, 4),), (torch.randn(3, 4),)]


        def broken():
            raise RuntimeError("no model today")
        """,
}


@pytest.fixture
def project(tmp_path):
    for name, text in FILES.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return tmp_path


def snapshot(root):
    return {p: (root / p).read_bytes() for p in FILES}


def plant_wrong_jit201_fix(monkeypatch):
    """JIT201's fix, made wrong in-process: it annotates the parameter but also changes its
    default, so eager computes something else."""
    original = fix_verify._HoldingLoop.rewrite

    def rewrite(self, text, chosen):
        new = original(self, text, chosen)
        if any(f.code == "JIT201" for f in chosen):
            new = new.replace("factor: int = 1", "factor: int = 3")
        return new

    monkeypatch.setattr(fix_verify._HoldingLoop, "rewrite", rewrite)


def test_a_wrong_fix_is_dropped_the_others_kept_and_nothing_written_until_asked(project, monkeypatch):
    plant_wrong_jit201_fix(monkeypatch)
    before = snapshot(project)
    report = fix_and_verify([str(project)], [f"{project}/cases.py::head"], **FAST)
    assert snapshot(project) == before  # nothing written yet

    status = {(os.path.basename(f.path), f.code): f for f in report.fixes}
    assert status[("model.py", "JIT303")].status == VERIFIED
    assert status[("other.py", "JIT303")].status == NOT_COVERED
    dropped = status[("helpers.py", "JIT201")]
    assert dropped.status == DROPPED and dropped.row == 4
    assert "cases.py::head" in dropped.reason and "eager results changed" in dropped.reason
    assert not report.ok and [f.code for f in report.dropped] == ["JIT201"]

    (target,) = report.targets
    assert target.regressions == [] and target.eager_compared and target.eager_changed is None
    assert sorted(os.path.basename(p) for p in target.files) == ["cases.py", "helpers.py", "model.py"]
    # the CUDA path runs the same checks device-agnostically; here it is skipped with its reason
    cuda = [r for r in target.baseline["results"] if r["device"] == "cuda"]
    if not torch.cuda.is_available():
        assert cuda and all("CUDA skipped" in r["skipped_reason"] for r in cuda)

    diff = report.diff()
    assert "+        n = x.shape[1]" in diff and "factor" not in diff
    assert [f.code for f in report.findings] == ["JIT201"]  # the dropped fix's finding remains
    text = report.render_text(str(project))
    assert "dropped because " + f"{project}/cases.py::head: eager results changed" in text
    assert "no target imports other.py" in text

    written = report.write()
    assert sorted(os.path.basename(p) for p in written) == ["model.py", "other.py"]
    assert (project / "helpers.py").read_bytes() == before["helpers.py"]
    assert "n = x.shape[1]" in (project / "model.py").read_text()


def test_cli_diff_writes_nothing_and_fix_writes_the_verified_fixes(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    before = snapshot(project)
    code = main(["fix", ".", "--verify", "cases.py::head", "--diff", *FAST_CLI])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert snapshot(project) == before
    assert "-def scale(x, factor=1):" in out and "+def scale(x, factor: int = 1):" in out
    assert "verified" in err and "Would fix 3 errors." in err
    assert "script/cpu compile failed before, pass now" in err

    code = main(["fix", ".", "--verify", "cases.py::head", *FAST_CLI])
    out, err = capsys.readouterr()
    assert code == 0, out + err  # every finding fixed
    assert "Found 3 errors (3 fixed, 0 remaining)." in out
    assert "2 fix(es) verified, 0 dropped, 1 not covered" in out
    assert "def scale(x, factor: int = 1):" in (project / "helpers.py").read_text()
    assert "int(" not in (project / "other.py").read_text()


def test_usage_errors_exit_2(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    assert main(["fix", "."]) == 2
    assert "needs --verify FILE.py::NAME" in capsys.readouterr().err
    assert main(["fix", ".", "--verify", "nope.py::head", "--no-progress"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["fix", "missing_dir", "--verify", "cases.py::head", "--no-progress"]) == 2
    assert "missing_dir: no such file or directory" in capsys.readouterr().err
    assert main(["fix", ".", "--verify", "cases.py::head", "--select", "JIT999", "--no-progress"]) == 2
    capsys.readouterr()
    before = snapshot(project)
    assert main(["fix", ".", "--verify", "cases.py::broken", *FAST_CLI]) == 2
    err = capsys.readouterr().err
    assert "cannot be verified before any fix" in err and "no model today" in err
    assert "Traceback" not in err
    assert snapshot(project) == before
    with pytest.raises(FixVerifyError):
        fix_and_verify([str(project)], [], **FAST)



def test_the_pytest_fixture_returns_the_report_when_nothing_is_dropped(project, jit_fix_verify):
    report = jit_fix_verify([str(project / "other.py"), str(project / "model.py")],
                            [f"{project}/cases.py::head"], **FAST)
    assert report.ok and {f.status for f in report.fixes} == {VERIFIED, NOT_COVERED}
