"""``jitlint check --fix`` and friends through the real CLI on real files, as a ruff user runs them."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jitlint.codemods import fix_loop
from jitlint.codemods.fix_loop import fix_project, fix_source
from jitlint.linter.api import Settings

# JIT201 (safe: `n: int = 3`) and JIT301 (safe: `x.size(0)`); JIT202's fix is unsafe.
MODEL = textwrap.dedent(
    """
    import torch
    from torch import nn


    class M(nn.Module):
        def forward(self, x, n=3):
            return x * n


    def fn(x):
        n = len(x)
        return x.new_zeros(n)


    traced = torch.jit.trace(fn, torch.ones(3))
    """
).lstrip()

FIXED = MODEL.replace("n=3", "n: int = 3").replace("len(x)", "x.size(0)")

UNSAFE_ONLY = textwrap.dedent(
    """
    import torch
    from typing import Optional
    from torch import nn


    class M(nn.Module):
        def forward(self, x: torch.Tensor, bias=None) -> torch.Tensor:
            if bias is None:
                return x
            return x + bias
    """
).lstrip()


def run(*args, cwd, input=None):
    return subprocess.run([sys.executable, "-m", "jitlint", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, input=input)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.jitlint]\n")
    return tmp_path


def test_fix_applies_safe_fixes_writes_and_summarises(project):
    (project / "m.py").write_text(MODEL)
    done = run("--fix", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / "m.py").read_text() == FIXED
    assert "Found 2 errors (2 fixed, 0 remaining)." in done.stdout
    again = run("--fix", ".", cwd=project)  # idempotent: nothing left to do, nothing touched
    assert again.returncode == 0 and "All checks passed!" in again.stdout
    assert (project / "m.py").read_text() == FIXED


def test_without_fix_the_hint_names_the_option_and_hidden_unsafe_fixes(project):
    (project / "m.py").write_text(MODEL)
    (project / "u.py").write_text(UNSAFE_ONLY)
    done = run(".", cwd=project)
    assert done.returncode == 1
    assert "[*] 2 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option)." \
        in done.stdout, done.stdout
    shown = run("--unsafe-fixes", ".", cwd=project)
    assert "[*] 3 fixable with the `--fix` option." in shown.stdout, shown.stdout
    assert "JIT202 [*]" in shown.stdout and "JIT202 [*]" not in done.stdout


def test_unsafe_fixes_only_with_the_flag(project):
    (project / "u.py").write_text(UNSAFE_ONLY)
    safe = run("--fix", ".", cwd=project)
    assert safe.returncode == 1 and (project / "u.py").read_text() == UNSAFE_ONLY
    unsafe = run("--fix", "--unsafe-fixes", ".", cwd=project)
    assert unsafe.returncode == 0, unsafe.stdout + unsafe.stderr
    assert "bias: Optional[torch.Tensor] = None" in (project / "u.py").read_text()
    assert "(1 fixed, 0 remaining)" in unsafe.stdout


def test_diff_writes_nothing_and_exits_1_on_a_change(project):
    (project / "m.py").write_text(MODEL)
    done = run("--diff", ".", cwd=project)
    assert done.returncode == 1
    assert (project / "m.py").read_text() == MODEL
    assert "-    def forward(self, x, n=3):\n+    def forward(self, x, n: int = 3):" in done.stdout
    assert done.stdout.startswith("--- ./m.py\n+++ ./m.py\n")
    assert "Would fix 2 errors." in done.stderr
    (project / "m.py").write_text(FIXED)
    clean = run("--diff", ".", cwd=project)
    assert clean.returncode == 0 and clean.stdout == ""


def test_fix_only_and_exit_non_zero_on_fix(project):
    (project / "m.py").write_text(MODEL.replace("    def forward(self, x, n=3):\n",
                                                "    def forward(self, x, n=3):\n        try:\n            pass\n"
                                                "        except RuntimeError:\n            pass\n"))
    done = run("--fix-only", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr  # the JIT101 that remains is not reported
    assert done.stdout == "Fixed 2 errors.\n"
    (project / "m.py").write_text(MODEL)
    strict = run("--fix", "--exit-non-zero-on-fix", ".", cwd=project)
    assert strict.returncode == 1 and "(2 fixed, 0 remaining)" in strict.stdout


def test_show_fixes_lists_rules_per_file(project):
    (project / "m.py").write_text(MODEL)
    done = run("--fix", "--show-fixes", ".", cwd=project)
    assert "Fixed 2 errors:\n- ./m.py:\n    1 × JIT201 (unannotated-non-tensor-param)\n    1 × JIT301 (len-of-tensor)\n" \
        in done.stdout, done.stdout


def test_stdin_fix_writes_the_fixed_source_to_stdout(project):
    done = run("--fix", "-", "--stdin-filename", "m.py", cwd=project, input=MODEL)
    assert done.returncode == 0, done.stderr
    assert done.stdout == FIXED
    assert "(2 fixed, 0 remaining)" in done.stderr
    assert not (project / "m.py").exists()


def test_config_fix_true_and_no_fix_override(project):
    (project / "pyproject.toml").write_text("[tool.jitlint]\nfix = true\n")
    (project / "m.py").write_text(MODEL)
    held = run("--no-fix", ".", cwd=project)
    assert held.returncode == 1 and (project / "m.py").read_text() == MODEL
    done = run(".", cwd=project)
    assert done.returncode == 0 and (project / "m.py").read_text() == FIXED


def test_diff_and_add_noqa_exclude_each_other(project):
    (project / "m.py").write_text(MODEL)
    done = run("--diff", "--add-noqa", ".", cwd=project)
    assert done.returncode == 2 and "cannot be combined" in done.stderr


def test_bytes_encoding_bom_newlines_and_mode_are_kept(project):
    crlf = project / "crlf.py"
    crlf.write_bytes(MODEL.replace("\n", "\r\n").encode())
    bom = project / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf" + MODEL.encode())
    latin = project / "latin.py"
    latin.write_bytes(("# -*- coding: latin-1 -*-\n# caf\u00e9\n" + MODEL).encode("latin-1"))
    os.chmod(latin, 0o754)
    clean = project / "clean.py"
    clean.write_text(FIXED)
    before = clean.stat().st_mtime_ns
    done = run("--fix", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert crlf.read_bytes() == FIXED.replace("\n", "\r\n").encode()
    assert bom.read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()
    assert latin.read_bytes() == ("# -*- coding: latin-1 -*-\n# caf\u00e9\n" + FIXED).encode("latin-1")
    assert stat.S_IMODE(latin.stat().st_mode) == 0o754
    assert clean.stat().st_mtime_ns == before  # unchanged files are not touched
    assert not [p for p in project.iterdir() if p.name.endswith(".jitlint-tmp")]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_a_symlinked_file_is_fixed_through_the_link(project):
    real = project / "real"
    real.mkdir()
    (real / "m.py").write_text(MODEL)
    (project / "link.py").symlink_to(real / "m.py")
    done = run("--fix", "link.py", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / "link.py").is_symlink() and (real / "m.py").read_text() == FIXED


def test_context_files_are_analysed_but_never_changed(project):
    (project / "a.py").write_text(MODEL)
    (project / "b.py").write_text(MODEL)
    done = run("--fix", "a.py", "--context", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / "a.py").read_text() == FIXED and (project / "b.py").read_text() == MODEL


def test_a_fix_in_a_helper_file_reached_from_another_file(project):
    """Reach crosses files: the helper is only traced through the model in the other file."""
    (project / "helpers.py").write_text("def first_dim(x):\n    n = len(x)\n    return x.new_zeros(n)\n")
    (project / "model.py").write_text(
        "import torch\nfrom helpers import first_dim\n\ntraced = torch.jit.trace(first_dim, torch.ones(3))\n")
    done = run("--fix", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "n = x.size(0)" in (project / "helpers.py").read_text()


def test_a_notebook_is_left_alone(project):
    import json

    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": MODEL.splitlines(True), "outputs": [],
                     "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (project / "nb.ipynb").write_text(json.dumps(nb))
    before = (project / "nb.ipynb").read_text()
    done = run("--fix", ".", cwd=project)
    assert done.returncode == 1 and (project / "nb.ipynb").read_text() == before


# -- the loop's guards, on real findings ---------------------------------------------------


def test_a_pass_that_breaks_the_file_is_rolled_back_naming_the_rule(monkeypatch):
    real = fix_loop.apply_fixes

    def breaking(text, fixes):
        new, applied = real(text, fixes)
        if any(f.message.startswith("Annotate") for f in fixes):
            new = new.replace("n: int = 3", "n: int = (3")
        return new, applied

    monkeypatch.setattr(fix_loop, "apply_fixes", breaking)
    report = fix_source(MODEL, "m.py")
    assert [(code, why.split(";")[0]) for _, code, why in report.rolled_back] == [
        ("JIT201", "the fixed code would not parse or be analysable")]
    (fx,) = report.files.values()
    assert "n=3" in fx.text and "x.size(0)" in fx.text  # the good fix still landed
    assert fx.applied == {"JIT301": 1}


def test_a_fix_that_never_settles_is_reported_as_not_converging(monkeypatch):
    real = fix_loop.apply_fixes
    counter = iter(range(10_000))

    def restless(text, fixes):
        _, applied = real(text, fixes)
        return text + f"# pass {next(counter)}\n", applied  # always a new text, the finding stays

    monkeypatch.setattr(fix_loop, "apply_fixes", restless)
    monkeypatch.setattr(fix_loop, "MAX_PASSES", 5)
    report = fix_source("import torch\n\ndef fn(x, n=3):\n    return x * n\n\ns = torch.jit.script(fn)\n", "m.py")
    assert report.not_converged == [("m.py", ("JIT201",))]
