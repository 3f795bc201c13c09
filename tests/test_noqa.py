"""noqa hygiene as users run it: JIT005 (unused noqa) and ``check --add-noqa``, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "jitlint", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, env=dict(os.environ), timeout=120)


def model(body: str) -> str:
    return "import torch\nfrom torch import nn\n\n\nclass M(nn.Module):\n    def forward(self, x):\n" + textwrap.indent(
        textwrap.dedent(body).strip("\n"), " " * 8) + "\n"


TRY = """
try:{noqa}
    y = x * 2
except RuntimeError:
    y = x
return y
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.jitlint]\n")
    return tmp_path


def findings(project, *args):
    result = run("--output-format", "json", *args, ".", cwd=project)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def apply_fixes(text: str, found) -> str:
    lines = text.splitlines(keepends=True)
    for f in sorted(found, key=lambda f: -f["location"]["row"]):
        for e in f["fix"]["edits"]:
            row = e["location"]["row"] - 1
            assert e["end_location"]["row"] == row + 1
            line = lines[row]
            lines[row] = line[: e["location"]["column"] - 1] + e["content"] + line[e["end_location"]["column"] - 1:]
    return "".join(lines)


def test_unused_noqa_is_reported_with_a_safe_fix(project):
    source = model("return x * 2  # noqa: JIT101\n")
    (project / "m.py").write_text(source)
    [f] = findings(project)
    assert f["code"] == "JIT005"
    assert (f["location"]["row"], f["location"]["column"]) == (7, 23)
    assert "`JIT101`" in f["message"]
    assert f["fix"]["applicability"] == "safe"
    assert apply_fixes(source, [f]) == model("return x * 2\n")


def test_used_noqa_is_not_reported(project):
    (project / "m.py").write_text(model(TRY.format(noqa="  # noqa: JIT101")))
    assert findings(project) == []
    assert run(".", cwd=project).returncode == 0


def test_noqa_of_a_finding_out_of_reach_counts_as_used(project):
    (project / "m.py").write_text(textwrap.dedent("""
        def helper(x):
            try:  # noqa: JIT101
                return x
            except Exception:
                return None
        """).lstrip())
    assert findings(project) == []


def test_unknown_and_unused_codes_are_removed_from_a_shared_directive(project):
    source = model(TRY.format(noqa="  # noqa: JIT101, JIT999, JIT108"))
    (project / "m.py").write_text(source)
    [f] = findings(project)
    assert f["code"] == "JIT005"
    assert "unknown: `JIT999`" in f["message"] and "unused: `JIT108`" in f["message"]
    fixed = apply_fixes(source, [f])
    assert "try:  # noqa: JIT101\n" in fixed
    (project / "m.py").write_text(fixed)
    assert run(".", cwd=project).returncode == 0


def test_blanket_noqa_and_trailing_comments(project):
    source = model("y = x + 1  # noqa\nz = y  # noqa: JIT101 # why\nreturn z  # type: ignore  # noqa: JIT101\n")
    (project / "m.py").write_text(source)
    found = findings(project)
    assert [f["code"] for f in found] == ["JIT005"] * 3
    assert "blanket" in found[0]["message"]
    assert apply_fixes(source, found) == model("y = x + 1\nz = y  # why\nreturn z  # type: ignore\n")


def test_flake8_codes_are_left_alone(project):
    (project / "m.py").write_text(model("y = x * 2  # noqa: E501\nreturn y  # noqa: E501, F841\n"))
    assert findings(project) == []
    source = model("return x * 2  # noqa: E501, JIT101\n")
    (project / "m.py").write_text(source)
    [f] = findings(project)
    assert "`JIT101`" in f["message"] and "E501" not in f["message"]
    assert apply_fixes(source, [f]) == model("return x * 2  # noqa: E501\n")


def test_noqa_in_a_string_is_no_directive(project):
    (project / "m.py").write_text(model('s = "# noqa: JIT101"\nreturn x\n'))
    assert findings(project) == []


def test_codes_of_unselected_rules_are_not_judged(project):
    (project / "m.py").write_text(model("return x * 2  # noqa: JIT101\n"))
    assert findings(project, "--select", "JIT005,JIT2") == []
    assert findings(project, "--ignore", "JIT005") == []
    assert [f["code"] for f in findings(project, "--select", "JIT005,JIT101")] == ["JIT005"]


def test_noqa_for_jit005_itself_and_file_level_noqa(project):
    (project / "m.py").write_text(model("return x * 2  # noqa: JIT101, JIT005\n"))
    assert findings(project) == []
    (project / "m.py").write_text("# jitlint: noqa: JIT005\n" + model("return x * 2  # noqa: JIT101\n"))
    assert findings(project) == []


def test_add_noqa_then_check_passes_and_is_idempotent(project):
    source = model(TRY.format(noqa="  # noqa: E501") + "\n").replace(
        "return y", "for i in range(3):\n            pass\n        else:\n            pass\n        return y")
    path = project / "m.py"
    path.write_bytes(source.replace("\n", "\r\n").encode())
    assert run(".", cwd=project).returncode == 1
    first = run("--add-noqa", ".", cwd=project)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "Added 2 noqa directives."
    data = path.read_bytes()
    assert data.count(b"\r\n") == source.count("\n") and b"\r\r" not in data
    text = data.decode()
    assert "try:  # noqa: E501, JIT101\r\n" in text
    assert "for i in range(3):  # noqa: JIT108\r\n" in text
    assert run(".", cwd=project).returncode == 0
    second = run("--add-noqa", ".", cwd=project)
    assert second.returncode == 0
    assert second.stdout.strip() == "Added 0 noqa directives."
    assert path.read_bytes() == data
    assert [p.name for p in project.iterdir() if p.name.endswith(".tmp")] == []


def test_add_noqa_merges_codes_of_one_line(project):
    path = project / "m.py"
    path.write_text("import torch\n\n\n@torch.jit.script\ndef f(x: torch.Tensor):\n    return [y for y in x] if (z := x) is not None else x\n")
    before = findings(project)
    rows = {f["location"]["row"] for f in before}
    assert run("--add-noqa", ".", cwd=project).returncode == 0
    assert findings(project) == []
    for row in rows:
        line = path.read_text().splitlines()[row - 1]
        assert line.count("# noqa") == 1
