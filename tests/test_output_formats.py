"""ruff's output formats and reporting flags, through the real CLI on real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
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


def run(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "jitlint", *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), timeout=120)


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# JIT101 (try, an error) at 7:9 and JIT301 (len of a traced tensor, a warning with a safe fix) at 14:9.
MODEL = MODEL_WITH_TRY + textwrap.dedent(
    """

    def fn(x):
        n = len(x)
        return x + torch.arange(n).unsqueeze(1)


    traced = torch.jit.trace(fn, torch.zeros(3, 2))
    """
)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.jitlint]\n")
    return tmp_path


def check(*args, cwd=None):
    return run("check", "--no-cache", *args, cwd=cwd)


@pytest.fixture
def model(project):
    return write(project, "m.py", MODEL)


def test_model_has_an_error_and_a_warning(model):
    r = check("--output-format", "concise", str(model))
    assert r.returncode == 1
    assert f"{model}:7:9: JIT101" in r.stdout and f"{model}:14:9: JIT301" in r.stdout, r.stdout


def test_json_lines(model):
    r = check("--output-format", "json-lines", str(model))
    assert r.returncode == 1
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    full = json.loads(check("--output-format", "json", str(model)).stdout)
    assert rows == full
    assert rows[0]["code"] == "JIT101" and rows[0]["location"] == {"row": 7, "column": 9}


def test_gitlab(model):
    issues = json.loads(check("--output-format", "gitlab", str(model)).stdout)
    by_code = {i["check_name"]: i for i in issues}
    assert set(by_code) == {"JIT101", "JIT301"}
    issue = by_code["JIT101"]
    assert issue["location"]["path"] == str(model) and issue["location"]["lines"]["begin"] == 7
    assert "try" in issue["description"] and issue["severity"] == "major"
    assert by_code["JIT301"]["severity"] == "minor"
    assert len({i["fingerprint"] for i in issues}) == 2


def test_gitlab_paths_relative_to_ci_project_dir(model, project):
    r = run("check", "--no-cache", "--output-format", "gitlab", str(model), env={"CI_PROJECT_DIR": str(project)})
    assert json.loads(r.stdout)[0]["location"]["path"] == "m.py"


def test_rdjson(model):
    doc = json.loads(check("--output-format", "rdjson", str(model)).stdout)
    assert doc["source"]["name"] == "jitlint"
    diag = doc["diagnostics"][0]
    assert diag["code"]["value"] == "JIT101" and diag["code"]["url"].endswith("#jit101-try-statement")
    assert diag["location"]["path"] == str(model)
    assert diag["location"]["range"]["start"] == {"line": 7, "column": 9}
    assert diag["severity"] == "ERROR" and doc["diagnostics"][1]["severity"] == "WARNING"


def test_junit(model, project):
    other = write(project, "other.py", MODEL_WITH_TRY)
    r = check("--output-format", "junit", str(model), str(other))
    assert r.returncode == 1
    root = ET.fromstring(r.stdout.split("\n", 1)[1])
    assert root.tag == "testsuites" and root.get("failures") == "3"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {str(model), str(other)}
    cases = suites[str(model)].findall("testcase")
    assert [c.get("name") for c in cases] == ["org.jitlint.JIT101", "org.jitlint.JIT301"]
    assert cases[0].get("line") == "7" and cases[0].get("column") == "9"
    assert cases[0].get("classname") == str(model)[:-3]
    failure = cases[0].find("failure")
    assert "try" in failure.get("message") and failure.text.startswith("line 7, col 9, ")


def test_junit_without_findings_is_one_passing_case(project):
    path = write(project, "clean.py", CLEAN_MODEL)
    r = check("--output-format", "junit", str(path))
    assert r.returncode == 0
    root = ET.fromstring(r.stdout.split("\n", 1)[1])
    assert root.get("failures") == "0" and root.find("testsuite/testcase/failure") is None


def test_pylint(model):
    lines = check("--output-format", "pylint", str(model)).stdout.splitlines()
    assert lines[0].startswith(f"{model}:7: [JIT101] ")
    assert lines[1].startswith(f"{model}:14: [JIT301] ")


def test_azure(model):
    lines = check("--output-format", "azure", str(model)).stdout.splitlines()
    assert lines[0].startswith(
        f"##vso[task.logissue type=error;sourcepath={model};linenumber=7;columnnumber=9;code=JIT101;]"
    )
    assert lines[1].startswith("##vso[task.logissue type=warning;") and "code=JIT301;]" in lines[1]


def test_grouped(model, project):
    other = write(project, "other.py", MODEL_WITH_TRY)
    out = check("--output-format", "grouped", str(model), str(other)).stdout
    assert f"{model}:\n   7:9 JIT101 " in out and "\n  14:9 JIT301 [*] " in out, out
    assert f"\n{other}:\n  7:9 JIT101 " in out
    assert "Found 3 errors" in out


def test_output_format_from_config_is_validated(project, model):
    (project / "pyproject.toml").write_text('[tool.jitlint]\noutput-format = "pylint"\n')
    assert check(str(model), cwd=project).stdout.startswith(f"{model}:7: [JIT101]")
    (project / "pyproject.toml").write_text('[tool.jitlint]\noutput-format = "xml"\n')
    r = check(str(model), cwd=project)
    assert r.returncode == 2 and "output-format" in r.stderr and "json-lines" in r.stderr


def test_statistics_json(project):
    write(project, "a.py", MODEL)
    write(project, "b.py", MODEL_WITH_TRY)
    r = check("--statistics", "--output-format", "json", str(project))
    assert r.returncode == 1
    rows = json.loads(r.stdout)
    assert rows[0] == {"code": "JIT101", "name": "try-statement", "count": 2, "fixable": False}
    assert rows[1]["code"] == "JIT301" and rows[1]["count"] == 1 and rows[1]["fixable"] is True
    assert set(rows[1]) == {"code", "name", "count", "fixable"}


def test_sarif_rules_have_help_and_results_have_levels(model):
    sarif = json.loads(check("--output-format", "sarif", str(model)).stdout)
    run_ = sarif["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    rule = rules["JIT101"]
    assert "try" in rule["shortDescription"]["text"]
    assert "## Why is this bad?" in rule["fullDescription"]["markdown"]
    assert rule["help"]["text"] and "```python" in rule["help"]["markdown"]
    assert "##" not in rule["help"]["text"] and "```" not in rule["help"]["text"]
    levels = {r["ruleId"]: r["level"] for r in run_["results"]}
    assert levels == {"JIT101": "error", "JIT301": "warning"}
    assert rules["JIT301"]["defaultConfiguration"]["level"] == "warning"


def test_silent_prints_nothing(model, project):
    r = check("--silent", str(model))
    assert r.returncode == 1 and r.stdout == "" and r.stderr == ""
    clean = write(project, "clean.py", CLEAN_MODEL)
    r = check("--silent", str(clean))
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""


def test_output_file(model, project):
    target = project / "report.json"
    r = check("--output-format", "json", "-o", str(target), str(model))
    assert r.returncode == 1 and r.stdout == ""
    assert json.loads(target.read_text())[0]["code"] == "JIT101"
    r = check("--output-file", str(target), str(model))
    assert r.stdout == "" and "JIT101" in target.read_text() and "Found 2 errors" in target.read_text()


def test_show_files(project):
    write(project, "a.py", MODEL)
    write(project, "pkg/b.py", CLEAN_MODEL)
    write(project, "venv/c.py", MODEL)  # excluded by default
    r = run("check", "--show-files", ".", cwd=project)
    assert r.returncode == 0
    assert sorted(os.path.normpath(p) for p in r.stdout.split()) == ["a.py", os.path.join("pkg", "b.py")]
    r = check("--show-files", str(project / "a.py"))
    assert r.stdout == f"{project / 'a.py'}\n"


def test_show_settings(project):
    (project / "pyproject.toml").write_text('[tool.jitlint]\nignore = ["JIT301"]\n')
    r = run("check", "--show-settings", "--extend-select", "JIT313", ".", cwd=project)
    assert r.returncode == 0, r.stderr
    assert 'ignore = ["JIT301"]' in r.stdout and 'extend-select = ["JIT313"]' in r.stdout
    assert str(project / "pyproject.toml") in r.stdout
    assert "JIT313" in r.stdout.splitlines()[-1] and "JIT301," not in r.stdout.splitlines()[-1]


def test_inline_config_overrides_select(model, project):
    r = check("--config", 'select = ["JIT3"]', str(model), cwd=project)
    assert r.returncode == 1 and "JIT301" in r.stdout and "JIT101" not in r.stdout
    r = check("--config", 'select = ["JIT3"]', "--config", 'ignore = ["JIT301"]', str(model), cwd=project)
    assert r.returncode == 0, r.stdout


def test_inline_config_bad_key_or_value_is_a_usage_error(model, project):
    r = check("--config", "bogus-key = 1", str(model), cwd=project)
    assert r.returncode == 2 and "bogus-key" in r.stderr and "Traceback" not in r.stderr
    r = check("--config", 'select = "JIT1"', str(model), cwd=project)
    assert r.returncode == 2 and "`select`" in r.stderr


def test_config_path_still_works(model, project):
    cfg = project / "jitlint.toml"
    cfg.write_text('select = ["JIT3"]\n')
    r = check("--config", str(cfg), str(model))
    assert "JIT301" in r.stdout and "JIT101" not in r.stdout
    r = check("--config", str(project / "missing.toml"), str(model))
    assert r.returncode == 2 and "no such file" in r.stderr
