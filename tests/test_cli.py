"""The command line as users run it: real files, a real subprocess, exit codes and outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

MODEL_WITH_TRY = textwrap.dedent(
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

CLEAN_MODEL = textwrap.dedent(
    """
    import torch
    from torch import nn


    class M(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * 2
    """
).lstrip()


def run(*args, cwd=None, stdin=None, env=None):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "jitlint", *args], cwd=cwd, input=stdin, capture_output=True, text=True,
        env=full_env, timeout=120,
    )


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip() if not text.startswith("import") else text)
    return path


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.jitlint]\n")
    return tmp_path


def test_clean_file_exits_zero(project):
    write(project, "m.py", CLEAN_MODEL)
    r = run("check", "--no-cache", str(project))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed" in r.stdout


def test_finding_exits_one_with_concise_line(project):
    path = write(project, "m.py", MODEL_WITH_TRY)
    r = run("check", "--no-cache", str(path))
    assert r.returncode == 1
    assert f"{path}:7:9: JIT101 " in r.stdout
    assert "Found 1 error (1 file checked)." in r.stdout


def test_exit_zero_flag(project):
    write(project, "m.py", MODEL_WITH_TRY)
    r = run("check", "--no-cache", "--exit-zero", str(project))
    assert r.returncode == 0 and "JIT101" in r.stdout


def test_missing_path_is_usage_error(project):
    r = run("check", str(project / "nope.py"))
    assert r.returncode == 2
    assert "nope.py: no such file or directory" in r.stderr
    assert "Traceback" not in r.stderr


def test_broken_config_names_the_key(project):
    (project / "pyproject.toml").write_text("[tool.jitlint]\nselekt = ['JIT1']\n")
    write(project, "m.py", CLEAN_MODEL)
    r = run("check", str(project))
    assert r.returncode == 2
    assert "unknown key `selekt`" in r.stderr and "Traceback" not in r.stderr


def test_invalid_toml_is_usage_error(project):
    (project / "pyproject.toml").write_text("[tool.jitlint\nselect = \n")
    write(project, "m.py", CLEAN_MODEL)
    r = run("check", str(project))
    assert r.returncode == 2 and "invalid TOML" in r.stderr


def test_bad_value_type_names_the_key(project):
    (project / "pyproject.toml").write_text("[tool.jitlint]\nselect = 'JIT1'\n")
    r = run("check", str(project))
    assert r.returncode == 2 and "`select` must be a list of strings" in r.stderr


def test_unknown_selector_is_usage_error(project):
    write(project, "m.py", CLEAN_MODEL)
    r = run("check", "--select", "JIT999", str(project))
    assert r.returncode == 2 and "unknown rule selector `JIT999`" in r.stderr


def test_syntax_error_is_one_finding_and_run_goes_on(project):
    write(project, "a_broken.py", "def f(:\n    pass\n")
    write(project, "b_model.py", MODEL_WITH_TRY)
    r = run("check", "--no-cache", str(project))
    assert r.returncode == 1
    lines = [line for line in r.stdout.splitlines() if "JIT" in line]
    assert any("a_broken.py:1:" in line and "JIT001" in line for line in lines), r.stdout
    assert any("b_model.py:7:9: JIT101" in line for line in lines), r.stdout


def test_binary_and_non_utf8_files(project):
    (project / "bin.py").write_bytes(b"\x00\x01\x02binary")
    (project / "latin.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    (project / "declared.py").write_bytes("# -*- coding: latin-1 -*-\nx = 'caf\xe9'\n".encode("latin-1"))
    (project / "empty.py").write_text("")
    r = run("check", "--no-cache", str(project))
    out = r.stdout
    assert "bin.py:1:1: JIT002 binary file" in out
    assert "latin.py:1:1: JIT002 file is not valid utf-8 at line 1" in out
    assert "declared.py" not in out and "empty.py" not in out
    assert r.returncode == 1


def test_large_file_is_skipped_with_a_finding(project):
    (project / "pyproject.toml").write_text("[tool.jitlint]\nmax-file-size = 100\n")
    write(project, "big.py", "x = 1\n" * 50)
    r = run("check", "--no-cache", str(project))
    assert "big.py:1:1: JIT004 file is larger than 100 bytes" in r.stdout


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(project):
    path = write(project, "secret.py", CLEAN_MODEL)
    path.chmod(0)
    try:
        r = run("check", "--no-cache", str(project))
        assert "secret.py:1:1: JIT004 cannot read file" in r.stdout
    finally:
        path.chmod(0o644)


def test_symlink_loop_is_reported_not_followed(project):
    pkg = project / "pkg"
    pkg.mkdir()
    write(project, "pkg/m.py", MODEL_WITH_TRY)
    os.symlink(pkg, pkg / "loop")
    r = run("check", "--no-cache", str(project))
    assert r.returncode == 1
    assert "symbolic link loop" in r.stderr
    assert r.stdout.count("JIT101") == 1


def test_noqa_forms(project):
    text = MODEL_WITH_TRY.replace("try:", "try:  # noqa: JIT101")
    write(project, "a.py", text)
    write(project, "b.py", MODEL_WITH_TRY.replace("try:", "try:  # noqa"))
    write(project, "c.py", MODEL_WITH_TRY.replace("try:", "try:  # noqa: JIT3"))
    write(project, "d.py", "# jitlint: noqa\n" + MODEL_WITH_TRY)
    write(project, "e.py", "# jitlint: noqa: JIT1\n" + MODEL_WITH_TRY)
    r = run("check", "--no-cache", str(project))
    flagged = {Path(line.split(":")[0]).name for line in r.stdout.splitlines() if "JIT101" in line}
    assert flagged == {"c.py"}


def test_select_ignore_and_prefixes(project):
    write(project, "m.py", MODEL_WITH_TRY)
    assert run("check", "--no-cache", "--select", "JIT3", str(project)).returncode == 0
    assert run("check", "--no-cache", "--select", "JIT1", str(project)).returncode == 1
    assert run("check", "--no-cache", "--ignore", "JIT101", str(project)).returncode == 0
    assert run("check", "--no-cache", "--select", "ALL", "--ignore", "JIT1", str(project)).returncode == 0


def test_per_file_ignores(project):
    (project / "pyproject.toml").write_text('[tool.jitlint]\nper-file-ignores = {"legacy/*" = ["JIT1"]}\n')
    write(project, "legacy/m.py", MODEL_WITH_TRY)
    write(project, "new/m.py", MODEL_WITH_TRY)
    r = run("check", "--no-cache", str(project))
    assert "new/m.py" in r.stdout and "legacy/m.py" not in r.stdout


def test_exclude_and_gitignore(project):
    write(project, "keep/m.py", MODEL_WITH_TRY)
    write(project, "gen/m.py", MODEL_WITH_TRY)
    write(project, "ignored_dir/m.py", MODEL_WITH_TRY)
    write(project, "scratch.py", MODEL_WITH_TRY)
    (project / ".gitignore").write_text("ignored_dir/\nscratch.py\n")
    (project / "pyproject.toml").write_text('[tool.jitlint]\nextend-exclude = ["gen"]\n')
    r = run("check", "--no-cache", str(project))
    assert "keep/m.py" in r.stdout
    for name in ("gen/m.py", "ignored_dir/m.py", "scratch.py"):
        assert name not in r.stdout
    r = run("check", "--no-cache", "--no-respect-gitignore", str(project))
    assert "ignored_dir/m.py" in r.stdout and "scratch.py" in r.stdout


def test_virtualenv_is_skipped(project):
    write(project, "env/pyvenv.cfg", "home = /usr\n")
    write(project, "env/lib/m.py", MODEL_WITH_TRY)
    r = run("check", "--no-cache", str(project))
    assert r.returncode == 0


def test_json_output_follows_ruff_schema(project):
    path = write(project, "m.py", MODEL_WITH_TRY)
    r = run("check", "--no-cache", "--output-format", "json", str(path))
    data = json.loads(r.stdout)
    assert len(data) == 1
    item = data[0]
    assert set(item) == {"cell", "code", "end_location", "filename", "fix", "location", "message", "noqa_row", "url"}
    assert item["code"] == "JIT101" and item["location"] == {"row": 7, "column": 9}
    assert item["end_location"]["row"] == 10 and item["noqa_row"] == 7
    assert item["url"].endswith("#jit101-try-statement")


def test_sarif_and_github_and_full_outputs(project):
    path = write(project, "m.py", MODEL_WITH_TRY)
    sarif = json.loads(run("check", "--no-cache", "--output-format", "sarif", str(path)).stdout)
    assert sarif["version"] == "2.1.0"
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == "JIT101"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
    gh = run("check", "--no-cache", "--output-format", "github", str(path)).stdout
    assert gh.startswith(f"::error title=jitlint (JIT101),file={path},line=7,col=9,")
    full = run("check", "--no-cache", "--output-format", "full", str(path)).stdout
    assert "  7 |         try:" in full and "^^^^ JIT101" in full and "= help:" in full


def test_statistics(project):
    write(project, "a.py", MODEL_WITH_TRY)
    write(project, "b.py", MODEL_WITH_TRY)
    r = run("check", "--no-cache", "--statistics", str(project))
    assert r.stdout.strip().startswith("2\tJIT101")


def test_stdin_with_filename(project):
    r = run("check", "--no-cache", "-", "--stdin-filename", "model.py", stdin=MODEL_WITH_TRY, cwd=project)
    assert r.returncode == 1 and "model.py:7:9: JIT101" in r.stdout


def test_parallel_matches_serial(project):
    for i in range(6):
        write(project, f"m{i}.py", MODEL_WITH_TRY if i % 2 else CLEAN_MODEL)
    serial = run("check", "--no-cache", "-j", "1", str(project)).stdout
    parallel = run("check", "--no-cache", "-j", "2", str(project)).stdout
    assert serial == parallel and serial.count("JIT101") == 3


def test_rule_command(project):
    r = run("rule", "JIT101")
    assert r.returncode == 0 and "## What it does" in r.stdout and "## Fix safety" in r.stdout
    r = run("rule", "try-statement")
    assert r.returncode == 0 and "(JIT101)" in r.stdout
    r = run("rule", "--all")
    assert "JIT101  try-statement" in r.stdout
    assert run("rule", "JIT999").returncode == 2


def test_context_reports_only_the_given_files(project):
    write(project, "pkg/__init__.py", "")
    write(project, "pkg/helpers.py", """
        def helper(x):
            try:
                return x
            finally:
                pass
    """)
    write(project, "pkg/model.py", """
        from torch import nn
        from .helpers import helper


        class M(nn.Module):
            def forward(self, x):
                try:
                    return helper(x)
                finally:
                    pass
    """)
    alone = run("check", "--no-cache", str(project / "pkg" / "helpers.py"))
    assert alone.returncode == 0  # nothing in this file alone is compiled
    with_context = run("check", "--no-cache", str(project / "pkg" / "helpers.py"), "--context", str(project))
    assert with_context.returncode == 1
    assert "helpers.py:2:5: JIT101" in with_context.stdout and "model.py" not in with_context.stdout


def test_prefix_selects_shipped_rules_and_opt_in_rules_need_their_code():
    from jitlint.linter.config import Settings, select_codes
    from jitlint.linter.rules import rule_index

    rules = rule_index()
    family = select_codes(Settings(select=["JIT3"]), rules)
    assert "JIT304" in family and "JIT313" not in family and "JIT314" not in family
    assert "JIT313" in select_codes(Settings(select=["JIT3", "JIT313"]), rules)
    assert "JIT314" in select_codes(Settings(select=["side-effect-in-trace"]), rules)
    assert {"JIT313", "JIT314"} <= set(select_codes(Settings(select=["ALL"]), rules))
    assert "JIT313" in select_codes(Settings(extend_select=["JIT313"]), rules)


TRACED_MODEL = CLEAN_MODEL + "\n\ntraced = torch.jit.trace(M(), torch.rand(2))\n"


def test_deprecated_api_rule_jit401_is_opt_in(project):
    path = write(project, "m.py", TRACED_MODEL)
    r = run("check", "--no-cache", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "JIT401" not in r.stdout
    opted = run("check", "--no-cache", "--extend-select", "JIT401", str(path))
    assert opted.returncode == 1, opted.stdout + opted.stderr
    assert f"{path}:10:10: JIT401 " in opted.stdout


def test_deprecated_rules_are_not_selected_by_default_but_by_code_or_all():
    from jitlint.linter.config import Settings, select_codes
    from jitlint.linter.rules import rule_index

    rules = rule_index()
    assert not rules["JIT401"].default and not rules["JIT403"].default
    default = set(select_codes(Settings(), rules))
    assert "JIT401" not in default and "JIT403" not in default
    assert not {"JIT401", "JIT403"} & set(select_codes(Settings(select=["JIT4"]), rules))
    assert {"JIT401", "JIT403"} <= set(select_codes(Settings(select=["ALL"]), rules))
    assert "JIT403" in select_codes(Settings(extend_select=["JIT403"]), rules)
