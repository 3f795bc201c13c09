"""The coverage table of the TorchScript frontend's errors (docs/compiler-errors.md) is current:
its Python rows are what the installed torch raises, its C++ rows are messages torch's binaries
contain, every row names existing rules or a reason, and every JIT1xx/JIT2xx rule predicts some
row (or says what it predicts outside the table)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from jitlint.linter.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "compiler_errors.py"
DATA = ROOT / "tests" / "data" / "compiler_errors.json"
DOC = ROOT / "docs" / "compiler-errors.md"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("jitlint_compiler_errors", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def data():
    return json.loads(DATA.read_text())


def _rule_codes() -> set[str]:
    return set(all_rules())


def test_python_rows_are_what_torch_raises(tool, data):
    committed = [{k: v for k, v in r.items() if k != "id"} for r in data["rows"]
                 if r["side"] == "python"]
    assert committed == tool.python_rows(), "run `python tools/compiler_errors.py`"


def test_cpp_rows_are_in_torch_binaries(tool, data):
    text = tool._binary_text()
    missing = [(r["id"], p) for r in data["rows"] if r["side"] == "cpp"
               for p in r["probes"] if p not in text]
    assert not missing
    assert all(r["probes"] for r in data["rows"] if r["side"] == "cpp")
    assert [r["message"] for r in data["rows"] if r["side"] == "cpp"] == [
        m for _, _, m, _ in tool.CPP]


def test_doc_is_rendered_from_data(tool, data):
    assert DOC.read_text() == tool.render(data), "run `python tools/compiler_errors.py`"


def test_every_row_names_rules_or_a_reason(data):
    codes = _rule_codes()
    for r in data["rows"]:
        assert r["status"] in ("rule", "undecidable", "internal", "none"), r
        if r["status"] == "rule":
            unknown = set(r["rules"]) - codes
            assert r["rules"] and not unknown, (r["id"], unknown)
        elif r["status"] in ("undecidable", "internal"):
            assert r["reason"], r["id"]


def test_every_script_rule_appears(data):
    """A new JIT1xx/JIT2xx rule has to say which compiler error it predicts."""
    used = {c for r in data["rows"] if r["status"] == "rule" for c in r["rules"]}
    outside = set(data["outside"])
    family = {c for c in _rule_codes() if c[3] in "12"}
    assert not family - used - outside, sorted(family - used - outside)


def test_checklist_counts(tool, data):
    s = tool.summary(data)
    assert s["total"] == len(data["rows"]) > 250
    assert f"- messages: **{s['total']}**" in DOC.read_text()
    assert s["rule"] + s["undecidable"] + s["internal"] + s["none"] == s["total"]
