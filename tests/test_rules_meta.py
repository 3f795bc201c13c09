"""The rule registry: unique codes and names, documented, indexed consistently, docs current."""

from __future__ import annotations

import re
from pathlib import Path

from jitlint.linter.docs import render_rules_md
from jitlint.linter.rules import all_rules, rule_index
from jitlint.linter.rules.base import ANY, EXPORT, FILE, SCRIPT, TRACE

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ["What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"]


def test_codes_and_names_are_unique_and_well_formed():
    rules = all_rules()
    names = [r.name for r in rules.values()]
    assert len(names) == len(set(names))
    for code, rule in rules.items():
        assert re.fullmatch(r"JIT[0-6]\d\d", code), code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
        assert rule.message, code
        assert rule.mode in (SCRIPT, TRACE, EXPORT, ANY, FILE), code
        if code.startswith("JIT3"):
            assert rule.mode == TRACE, f"{code}: trace hazards are reported in traced code"
        if code.startswith(("JIT1", "JIT2")):
            assert rule.mode in (SCRIPT, FILE), f"{code}: script families are reported in scripted code"
        if code.startswith("JIT6"):
            assert rule.mode == EXPORT, f"{code}: torch.export hazards are reported in exported code"
        assert (rule.mode == EXPORT) == code.startswith("JIT6"), f"{code}: export mode is JIT6xx's"


def test_every_rule_doc_follows_the_template():
    for code, rule in all_rules().items():
        doc = rule.doc()
        positions = [doc.find(f"## {s}") for s in SECTIONS]
        assert all(p >= 0 for p in positions), f"{code} lacks a section: {dict(zip(SECTIONS, positions))}"
        assert positions == sorted(positions), f"{code}: sections out of order"
        assert rule.summary(), code


def test_file_name_matches_code_and_name():
    for code, rule in all_rules().items():
        module = rule.__module__.rsplit(".", 1)[-1]
        assert module == f"{code.lower()}_{rule.name.replace('-', '_')}", module


def test_static_index_agrees_with_the_classes():
    index = rule_index()
    rules = all_rules()
    assert list(index) == list(rules)
    for code, rule in rules.items():
        assert (index[code].name, index[code].default) == (rule.name, rule.default), code


def test_rules_md_is_current():
    current = (ROOT / "docs" / "rules.md").read_text()
    assert current == render_rules_md(), "docs/rules.md is stale: run python -m jitlint.linter.docs docs/rules.md"
