"""The README's quickstart is exactly what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quickstart_commands():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quickstart", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_quickstart_is_two_commands_and_ci_runs_them():
    commands = quickstart_commands()
    assert len(commands) == 2
    assert "jitlint check examples/" in commands[0]
    assert "pytest" in commands[1] and "[test]" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    for command in commands:
        assert command in ci, f"CI does not run the README command: {command}"


def test_test_extras_pin_torch():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"torch==2.13.0"' in pyproject


def test_sample_output_is_what_jitlint_prints_on_the_examples():
    import subprocess
    import sys

    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- sample-output:start -->\n```text\n\$ jitlint check examples/\n(.*?)```", text, re.S)
    assert block, "README sample-output block not found"
    run = subprocess.run([sys.executable, "-m", "jitlint", "check", "examples/", "--no-cache"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    assert run.stdout == block.group(1), "regenerate the README sample output: jitlint check examples/"


def test_fix_diff_sample_is_what_jitlint_prints_on_the_examples():
    import subprocess
    import sys

    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- fix-diff:start -->\n```diff\n\$ jitlint check --fix --diff examples/\n(.*?)```", text, re.S)
    assert block, "README fix-diff block not found"
    run = subprocess.run([sys.executable, "-m", "jitlint", "check", "--fix", "--diff", "examples/", "--no-cache"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1, run.stderr  # --diff exits 1 when there is something to fix
    assert run.stdout + run.stderr == block.group(1), (
        "regenerate the README fix-diff sample: jitlint check --fix --diff examples/")
    assert not subprocess.run(["git", "status", "--porcelain", "examples/"], cwd=ROOT, capture_output=True,
                              text=True).stdout, "--diff wrote to examples/"
