"""The lazy walk (one process, no cache): rules that need reach walk only reached functions.

A run with ``--no-cache -j 1`` keeps each file's tree until reach is known, walks every function
with the FILE-mode rules, and walks with the script/trace/export rules only the functions a
compiler reaches (and those holding a ``# noqa``, which JIT005 judges over unreached code too).
A run through the cache walks every function with every rule and lets reach drop findings later.
Both must report exactly the same findings: these tests run both on real files with the CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import libcst as cst

ROOT = Path(__file__).resolve().parent.parent


def _check(cwd: Path, *args: str) -> list:
    proc = subprocess.run([sys.executable, "-m", "jitlint", "check", "--output-format", "json", *args],
                          cwd=cwd, capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def _both(cwd: Path, *args: str):
    lazy = _check(cwd, "--no-cache", "-j", "1", *args)
    cache_dir = cwd / ".full-walk-cache"
    full = _check(cwd, "--cache-dir", str(cache_dir), "-j", "1", *args)
    return lazy, full


PROJECT = {
    "model.py": '''
        import torch
        from helpers import scale


        class Base(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.proj = torch.nn.Identity()

            def forward(self, x):
                return self.proj(x) + scale(x)


        class Sub(Base):
            def __init__(self):
                super().__init__()
                self.proj = torch.nn.LSTM(3, 3)


        def unreached(x):
            try:  # noqa: JIT101
                y = x
            except Exception:
                y = x
            return y


        def unreached_plain(x):
            return x  # noqa: JIT101


        def never_called(x):
            try:
                return x
            except Exception:
                return x


        m = torch.jit.script(Sub())
        ''',
    "helpers.py": '''
        import torch


        def scale(x):
            try:
                n = x.size(0)
            except Exception:
                n = 1
            return x * n


        def other(x):
            del x[1:2]
            return x
        ''',
}


def _write(tmp_path: Path) -> None:
    for name, text in PROJECT.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip())


def test_lazy_and_full_walks_report_the_same_findings(tmp_path):
    _write(tmp_path)
    lazy, full = _both(tmp_path, "--select", "ALL", ".")
    assert lazy == full
    codes = {(f["filename"].rsplit("/", 1)[-1], f["code"]) for f in lazy}
    # reached through the scripted subclass and its call into another file
    assert ("helpers.py", "JIT101") in codes
    # the used noqa in unreached code is not reported unused, the one suppressing nothing is
    jit005 = [f for f in lazy if f["code"] == "JIT005"]
    lines = textwrap.dedent(PROJECT["model.py"]).lstrip().splitlines()
    unused = [i for i, line in enumerate(lines, 1) if line.strip() == "return x  # noqa: JIT101"]
    assert [f["location"]["row"] for f in jit005] == unused
    # findings in functions nothing reaches are dropped in both
    assert ("model.py", "JIT101") not in codes


def test_lazy_and_full_walks_agree_on_the_bundled_examples(tmp_path):
    lazy = _check(ROOT, "--no-cache", "-j", "1", "--select", "ALL", "examples")
    full = _check(ROOT, "--cache-dir", str(tmp_path / "cache"), "-j", "1", "--select", "ALL", "examples")
    assert lazy == full and lazy


def test_the_lazy_run_leaves_rules_that_need_reach_for_later():
    from jitlint.linter.engine import _dispatch
    from jitlint.linter.file_checker import FileAnalyzer
    from jitlint.linter.rules import all_rules

    source = "import torch\n\ndef f(x):\n    del x[1:2]\n    return len(x)\n"
    dispatch = _dispatch(tuple(all_rules()))
    module = cst.parse_module(source)
    lazy = FileAnalyzer("f.py", source, "f", "", dispatch, module)
    pending = lazy.run(lazy=True).pending
    assert all(p.rule.mode == "file" for p in pending)
    lazy.complete(lambda fid: fid == "f:f")
    full = FileAnalyzer("f.py", source, "f", "", dispatch, module).run().pending
    assert sorted((p.rule.code, p.message) for p in lazy.fctx.pending) == \
        sorted((p.rule.code, p.message) for p in full)
    assert any(p.rule.mode != "file" for p in full)


def test_lazy_and_full_walks_agree_on_a_dependency_not_named(tmp_path):
    """helpers.py is not on the command line: dependency reach reads it (lazily too, without
    the cache) and reports what the compiler compiles there at the call site in model.py."""
    _write(tmp_path)
    lazy, full = _both(tmp_path, "--select", "ALL", "model.py")
    assert lazy == full
    assert any(f["code"] == "JIT101" and f["filename"].endswith("model.py") and "helpers.py" in f["message"]
               for f in lazy), lazy
