"""Paths as ruff resolves them, and parallel by default: the real CLI on real files."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TRACED = textwrap.dedent(
    """
    import torch


    def f(x):
        return x.sum().item()


    traced = torch.jit.trace(f, torch.rand(2))
    """
).lstrip()


def jitlint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jitlint", "check", "--no-cache", "--select", "JIT3", *args],
                          cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.jitlint]\nper-file-ignores = {"tests/*" = ["JIT3"]}\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "x.py").write_text(TRACED)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "y.py").write_text(TRACED)
    return tmp_path


@pytest.mark.parametrize("spelling", [None, ".", "./tests", "./tests/x.py", "tests", "ABSOLUTE"])
def test_per_file_ignores_match_however_the_path_is_spelled(project, spelling):
    args = [] if spelling is None else [str(project / "tests") if spelling == "ABSOLUTE" else spelling]
    r = jitlint(project, *args)
    assert "x.py" not in r.stdout, r.stdout + r.stderr
    if spelling in (None, "."):
        assert "y.py" in r.stdout and "JIT302" in r.stdout, r.stdout + r.stderr  # the rule itself still fires


def test_per_file_ignores_from_a_subdirectory(project):
    r = jitlint(project / "src", "../tests", "../src")
    assert "x.py" not in r.stdout, r.stdout + r.stderr
    assert "y.py" in r.stdout, r.stdout + r.stderr


def test_default_jobs_give_the_same_findings_as_one_process(tmp_path):
    """Enough work (> AUTO_PARALLEL_BYTES of source) makes the default run parallel; findings and
    their order must be identical to ``-j 1``."""
    from jitlint.linter.engine import AUTO_PARALLEL_BYTES, auto_jobs

    body = TRACED + "\n" + "\n".join(f"def g{i}(x):\n    return int(x.shape[0]) + {i}\n" for i in range(400))
    files = 0
    size = 0
    while size < 2 * AUTO_PARALLEL_BYTES:
        (tmp_path / f"m{files}.py").write_text(body)
        size += len(body)
        files += 1
    assert auto_jobs(files, size) == min(__import__("os").cpu_count() or 1, files)
    default = jitlint(tmp_path, "--output-format", "json", ".")
    single = jitlint(tmp_path, "--output-format", "json", "-j", "1", ".")
    assert default.returncode == single.returncode == 1
    assert json.loads(default.stdout) == json.loads(single.stdout)
    assert len(json.loads(single.stdout)) >= files


def test_auto_jobs_stays_in_one_process_for_small_work():
    from jitlint.linter.engine import auto_jobs

    assert auto_jobs(1, 10**9) == 1
    assert auto_jobs(50, 1000) == 1


def test_a_broken_link_named_on_the_command_line_is_a_finding(tmp_path):
    (tmp_path / "broken.py").symlink_to(tmp_path / "nowhere.py")
    r = subprocess.run([sys.executable, "-m", "jitlint", "check", "--no-cache", "broken.py"], cwd=tmp_path,
                       capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "broken.py:1:1: JIT004 cannot read file" in r.stdout


TRY_MODEL = textwrap.dedent(
    """
    import torch
    from torch import nn


    class M(nn.Module):
        def forward(self, x):
            try:
                return x * 2
            except RuntimeError:
                return x
    """
).lstrip()


def test_force_exclude_applies_excludes_to_named_files(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.jitlint]\nextend-exclude = ["third_party"]\n')
    (tmp_path / "third_party" / "lib").mkdir(parents=True)
    (tmp_path / "third_party" / "lib" / "m.py").write_text(TRY_MODEL)
    (tmp_path / "own.py").write_text(TRY_MODEL)
    run = lambda *a: subprocess.run([sys.executable, "-m", "jitlint", "check", "--no-cache", *a], cwd=tmp_path,
                                    capture_output=True, text=True)
    assert run("third_party/lib/m.py").returncode == 1  # named: checked, as ruff does without the flag
    forced = run("--force-exclude", "third_party/lib/m.py", "own.py")
    assert forced.returncode == 1 and "own.py" in forced.stdout and "third_party" not in forced.stdout, forced.stdout
    assert run("--force-exclude", str(tmp_path / "third_party" / "lib" / "m.py")).returncode == 0


def test_the_pre_commit_hook_skips_a_staged_excluded_file(tmp_path):
    """Runs the hook's own ``entry`` (from .pre-commit-hooks.yaml) the way pre-commit does:
    the entry's words plus the staged file names."""
    import shlex

    hooks = (Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text()
    entry = next(line.split(":", 1)[1].strip() for line in hooks.splitlines() if line.strip().startswith("entry:"))
    words = shlex.split(entry)
    assert words[:2] == ["jitlint", "check"] and "--force-exclude" in words
    assert "jupyter" in hooks
    (tmp_path / "pyproject.toml").write_text('[tool.jitlint]\nextend-exclude = ["vendored"]\n')
    (tmp_path / "vendored").mkdir()
    (tmp_path / "vendored" / "m.py").write_text(TRY_MODEL)
    r = subprocess.run([sys.executable, "-m", "jitlint", *words[1:], "--no-cache", "vendored/m.py"], cwd=tmp_path,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_deprecated_api_rules_are_opt_in(tmp_path):
    (tmp_path / "m.py").write_text(textwrap.dedent(
        """
        import torch
        from torch import nn


        class M(nn.Module):
            def forward(self, x: torch.Tensor) -> torch.Tensor:
                return x * 2


        traced = torch.jit.trace(M(), torch.rand(2))
        scripted = torch.jit.script(M(), optimize=True)
        """).lstrip())
    run = lambda *a: subprocess.run([sys.executable, "-m", "jitlint", "check", "--no-cache", *a, "m.py"],
                                    cwd=tmp_path, capture_output=True, text=True)
    clean = run()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    opted = run("--extend-select", "JIT401,JIT403")
    assert opted.returncode == 1 and "JIT401" in opted.stdout and "JIT403" in opted.stdout, opted.stdout
