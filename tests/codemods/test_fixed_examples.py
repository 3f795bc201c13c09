"""Every fix, held against the real compiler on its rule's INVALID examples.

For each rule that offers a fix (``fix_safety`` set, or a finding on one of its INVALID
examples carries a ``Fix``) and each of its INVALID examples, ``fix_source(..., unsafe=True)``
runs with the default rules plus that rule, in the example's mode and root. Each example is
its own test and must hold, whatever else is wrong with it:

- the fixed text parses, a second fix run changes nothing, no fix was rolled back and the
  loop converged;
- eager Python gives the same results (or raises the same exception type) on the example's
  inputs before and after the fix: a fix must never change what the code does eagerly.

Whether the fixed module now compiles and matches eager (script: not rejected and matches;
trace: the trace matches eager; save-fails: it saves; warns: silent) is recorded per example
(``repaired``) and judged per rule: every rule that offers a fix has at least one INVALID
example whose fixed source the compiler accepts and runs like eager. The examples that stay
broken (no fix offered for that form, or the example has a second problem) are listed in the
rule's test output. A rule with no repaired example is marked in :data:`KNOWN_UNREPAIRED`
(``xfail(strict=True)``), so its test fails the day one of its examples is repaired.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
from typing import Any, Dict, List, Optional, Tuple

import pytest

torch = pytest.importorskip("torch")

from compiler import eager_results, same_eager  # noqa: E402
from test_rule_examples import EXPECTED_RIGHT, compiler_verdict  # noqa: E402
from jitlint.codemods.fix_loop import fix_source  # noqa: E402
from jitlint.linter.config import Settings  # noqa: E402
from jitlint.linter.engine import check_source  # noqa: E402
from jitlint.linter.rules import all_rules  # noqa: E402
from jitlint.linter.rules.base import SCRIPT, TRACE  # noqa: E402

FILENAME = "x.py"

# Rules offering a fix none of whose INVALID examples the fix repairs: code -> why.
# Each is a finding to act on (a fixable example, or a better fix), not a permanent exemption.
KNOWN_UNREPAIRED: Dict[str, str] = {}


def settings_for(code: str, example) -> Settings:
    """The default rules plus ``code``, in the example's mode, with its root as the compiler's."""
    mode = TRACE if example.mode == TRACE else SCRIPT
    return Settings(
        extend_select=[code],
        modes=[mode],
        script_roots=[example.root] if mode == SCRIPT else [],
        trace_roots=[example.root] if mode == TRACE else [],
    )


def offers_fix(code: str, rule) -> bool:
    if rule.fix_safety:
        return True
    return any(f.code == code and f.fix is not None
               for example in rule.INVALID
               for f in check_source(example.source, FILENAME, settings_for(code, example)))


# Tool rules (JIT0xx: noqa hygiene) fix comments, not code the compiler sees; tests/test_noqa.py
# holds their fixes.
FIXING = {code: rule for code, rule in all_rules().items() if not code.startswith("JIT0") and offers_fix(code, rule)}
CASES = [pytest.param(code, i, id=f"{code}-{i}") for code, rule in FIXING.items() for i in range(len(rule.INVALID))]


@dataclasses.dataclass
class Outcome:
    text: str                     # the fixed source
    applied: int                  # fixes of the rule itself that were applied
    report: Any                   # the first FixReport
    again: Any                    # the FixReport of fixing the fixed text
    verdict: str = ""             # the compiler on the fixed module
    detail: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.report.changed)


@functools.lru_cache(maxsize=None)
def outcome(code: str, index: int) -> Outcome:
    """Fix one example (once per session: the per-example and per-rule tests share it)."""
    example = FIXING[code].INVALID[index]
    settings = settings_for(code, example)
    report = fix_source(example.source, FILENAME, settings, unsafe=True)
    fixed = report.files.get(FILENAME)
    text = fixed.text if fixed is not None else example.source
    applied = fixed.applied.get(code, 0) if fixed is not None else 0
    again = fix_source(text, FILENAME, settings, unsafe=True)
    return Outcome(text, applied, report, again)


def judge(code: str, index: int) -> Outcome:
    """Fix the example and ask the compiler about the fixed module (once per session)."""
    out = outcome(code, index)
    if not out.verdict:
        example = FIXING[code].INVALID[index]
        if example.expect == "runtime-fails" and torch.cuda.is_available():
            out.verdict, out.detail = "skipped", "hard-coded CUDA device runs here"
        else:
            fixed = dataclasses.replace(example, code=out.text)
            try:
                out.verdict, out.detail = compiler_verdict(fixed, "valid")
            except Exception as exc:  # noqa: BLE001 - a fixed module that cannot even load
                out.verdict, out.detail = "error", f"{type(exc).__name__}: {exc}"
    return out


def repaired(code: str, index: int) -> bool:
    """The rule's fix applied, and the compiler accepts the fixed module and it runs like eager."""
    example = FIXING[code].INVALID[index]
    out = judge(code, index)
    return out.applied > 0 and out.verdict in EXPECTED_RIGHT[example.expect]


@pytest.mark.parametrize("code,index", CASES)
def test_fixed_example_is_sound(code, index):
    example = FIXING[code].INVALID[index]
    out = outcome(code, index)
    ast.parse(out.text, FILENAME)
    assert not out.report.rolled_back, f"fixes rolled back: {out.report.rolled_back}"
    assert not out.report.not_converged, f"fix loop did not converge: {out.report.not_converged}"
    assert not out.report.unreadable, out.report.unreadable
    second = out.again.files.get(FILENAME)
    assert second is None or second.text == out.text, f"a second --fix changed the fixed text:\n{second.text}"
    assert out.again.fixed == 0 and not out.again.rolled_back and not out.again.not_converged
    if out.changed:
        before = eager_results(example.source, example)
        after = eager_results(out.text, example)
        assert same_eager(before, after), (
            f"the fix changed an eager result:\nbefore {before}\nafter  {after}\nfixed source:\n{out.text}")
    if repaired(code, index):
        # repaired: the rule itself has nothing left to say about the fixed module
        remaining = [f for f in out.report.findings if f.code == code]
        assert not remaining, [(f.row, f.message) for f in remaining]


def _rule_cases():
    for code in FIXING:
        marks = []
        if code in KNOWN_UNREPAIRED:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_UNREPAIRED[code]))
        yield pytest.param(code, id=code, marks=marks)


def describe(code: str, index: int) -> str:
    example = FIXING[code].INVALID[index]
    out = judge(code, index)
    if not out.applied:
        why = "no fix applied (this form has no fix)"
    elif out.verdict in EXPECTED_RIGHT[example.expect]:
        why = "repaired"
    else:
        why = f"fixed, but the compiler says {out.verdict}: {out.detail}"
    return f"{code}-{index} ({example.expect}): {why}"


@pytest.mark.parametrize("code", list(_rule_cases()))
def test_fix_repairs_an_invalid_example(code):
    rule = FIXING[code]
    assert rule.INVALID, f"{code} offers a fix but has no INVALID example"
    lines = [describe(code, i) for i in range(len(rule.INVALID))]
    print("\n".join(lines))
    assert any(repaired(code, i) for i in range(len(rule.INVALID))), (
        f"no INVALID example of {code} is repaired by its fix:\n" + "\n".join(lines))


def test_some_rules_offer_fixes():
    # guards against a registry or selection change that silently empties the parametrization
    assert len(FIXING) >= 10, sorted(FIXING)
