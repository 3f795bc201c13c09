"""The analyzer never raises: property tests over generated and mutated source.

Three generators, from least to most torch-shaped:

- ``hypothesmith.from_grammar()``: arbitrary modules that ``compile()`` accepts. They rarely
  look like models, but they reach syntax the hand-written tests never think of.
- mutations of the rules' own examples (every VALID/INVALID module in ``linter/rules``):
  lines deleted, duplicated, swapped or re-indented, text cut at any point. These keep the
  ``nn.Module``/``forward`` shapes that drive reach, inference and the rules, and break
  them in every way an editor buffer is broken while the user types.
- arbitrary bytes and text: the only acceptable reaction to something that is not a valid
  module is a ``JIT0xx`` finding.

Every run selects ALL rules in both modes, so every rule sees every input. A rule that
raises shows up as a JIT003 finding (the engine turns exceptions into findings), so the
property is "no exception escapes and no JIT003 appears".
"""

from __future__ import annotations

import ast
import textwrap
import warnings

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from jitlint.linter.config import Settings
from jitlint.linter.engine import check_source
from jitlint.linter.rules import all_rules
from jitlint.linter.analysis.source import decode

SETTINGS = Settings(select=["ALL"], modes=["script", "trace"], auto_roots=True)
SLOW = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

EXAMPLE_SOURCES = sorted({
    textwrap.dedent(example.code)
    for rule in all_rules().values()
    for example in (*rule.INVALID, *rule.VALID)
})


def lint(text: str):
    findings = check_source(text, "fuzzed.py", SETTINGS)
    internal = [(f.code, f.row, f.message) for f in findings if f.code == "JIT003"]
    assert not internal, f"internal errors:\n{internal}\n--- source ---\n{text}"
    return findings


def _parses(text: str) -> bool:
    """CPython's parser accepts it (later compile-time checks such as ``return`` outside a
    function are not syntax for a linter: ruff reports them as rules, not parse errors).

    A leading U+FEFF is the file's byte-order mark, as when CPython reads the file's bytes,
    so the text is parsed as those bytes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(text.encode("utf-8", "surrogatepass") if text.startswith("\ufeff") else text)
        except (SyntaxError, ValueError):
            return False
    return True


@st.composite
def mutated_examples(draw):
    """A rule example with a few line-level edits and, sometimes, a cut at any character."""
    lines = draw(st.sampled_from(EXAMPLE_SOURCES)).splitlines()
    for _ in range(draw(st.integers(0, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "duplicate", "swap", "dedent", "indent"]))
        if edit == "delete":
            del lines[i]
        elif edit == "duplicate":
            lines.insert(i, lines[i])
        elif edit == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif edit == "dedent":
            lines[i] = lines[i][4:] if lines[i].startswith("    ") else lines[i]
        else:
            lines[i] = "    " + lines[i]
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text


def test_examples_are_a_real_corpus():
    assert len(EXAMPLE_SOURCES) > 100
    assert all(_parses(text) for text in EXAMPLE_SOURCES)
    # the corpus reaches the rules, not just the parser: most rules fire somewhere in it
    fired = {f.code for text in EXAMPLE_SOURCES for f in lint(text)}
    assert len({c for c in fired if not c.startswith("JIT0")}) > 40


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_generated_modules_never_raise(data):
    hypothesmith = pytest.importorskip("hypothesmith")
    text = data.draw(hypothesmith.from_grammar())
    findings = lint(text)
    # compile() accepted it; libcst may still refuse a few corners (JIT001), nothing else of JIT0
    assert all(f.code in ("JIT001",) for f in findings if f.code.startswith("JIT0"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_examples())
def test_mutated_examples_never_raise(text):
    findings = lint(text)
    if _parses(text):
        assert not [f for f in findings if f.code == "JIT001"], "a valid module reported as a syntax error"
    else:
        assert [f for f in findings if f.code == "JIT001"], "invalid source without a JIT001 finding"
        assert all(f.code.startswith("JIT0") for f in findings)


@SLOW
@given(st.text(max_size=300))
@example("\ufeff")  # a BOM and nothing else: an empty file, as CPython reads it
@example("\U00013460")  # libcst parses it, its tree refuses it (CSTValidationError), CPython: not an identifier
def test_arbitrary_text_gets_only_tool_findings_when_invalid(text):
    findings = lint(text)
    if not _parses(text):
        assert findings and all(f.code.startswith("JIT0") for f in findings)


@SLOW
@given(st.binary(max_size=300))
def test_arbitrary_bytes_decode_or_say_why(data):
    source = decode("fuzzed.py", data)
    if source.text is None:
        code, message = source.problem
        assert code == "JIT002" and message
        return
    findings = lint(source.text)
    if not _parses(source.text):
        assert findings and all(f.code.startswith("JIT0") for f in findings)


BROKEN_SOURCE = """
import torch
from torch import nn


class Net(nn.Module):
    def forward(self, x):
        try:
            y = x + 1
        except Exception:
            y = x
        return self.helper(y)

    def helper(self, x):
        yield x
"""


@pytest.mark.parametrize("broken_code, hook, other_code", [
    ("JIT105", "function_start", "JIT101"),
    ("JIT105", "visit_Yield", "JIT101"),
    ("JIT101", "visit_Try", "JIT105"),
])
def test_a_rule_that_raises_becomes_jit003_and_the_others_still_report(monkeypatch, broken_code, hook, other_code):
    from jitlint.linter import engine

    def broken(self, node, ctx):
        raise RuntimeError("boom")

    assert {broken_code, other_code} <= {f.code for f in check_source(BROKEN_SOURCE, "net.py", SETTINGS)}
    monkeypatch.setattr(all_rules()[broken_code], hook, broken)
    monkeypatch.setattr(engine, "_DISPATCH", {})  # hooks are bound when the dispatch is built
    findings = check_source(BROKEN_SOURCE, "net.py", SETTINGS)
    internal = [f for f in findings if f.code == "JIT003"]
    assert internal and all(broken_code in f.message and "boom" in f.message for f in internal)
    assert other_code in {f.code for f in findings}
