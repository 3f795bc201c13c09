"""Every rule's examples, held against jitlint AND against the real compiler.

For each INVALID example: jitlint reports the rule at the marked line, and the compiler
proves the code wrong (script rejects it / the scripted result differs from eager / the
trace differs on another input / torch.jit.save fails / torch warns / torch.export.export
fails, or the exported program differs from eager on another input size). For each VALID
example: jitlint reports nothing at all, and the compiler accepts it and matches eager.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from compiler import (  # noqa: E402
    export_verdict, load_example, runtime_verdict, save_verdict, script_verdict, trace_verdict, warning_verdict,
)
from jitlint.linter.config import Settings  # noqa: E402
from jitlint.linter.engine import check_source  # noqa: E402
from jitlint.linter.rules import all_rules  # noqa: E402
from jitlint.linter.rules.base import EXPORT, SCRIPT, TRACE  # noqa: E402

CASES = []
for code, rule in all_rules().items():
    for kind, examples in (("invalid", rule.INVALID), ("valid", rule.VALID)):
        for i, example in enumerate(examples):
            CASES.append(pytest.param(rule, kind, example, id=f"{code}-{kind}-{i}"))


def lint(example):
    mode = example.mode if example.mode in (TRACE, EXPORT) else SCRIPT
    settings = Settings(
        select=["ALL"],
        modes=[mode],
        script_roots=[example.root] if mode == SCRIPT else [],
        trace_roots=[example.root] if mode == TRACE else [],
    )
    return check_source(example.source, "example.py", settings)


def compiler_verdict(example, kind="valid"):
    module = load_example(example.source)
    inputs = eval(example.inputs, {"torch": torch, **vars(module)})  # noqa: S307 - example data
    if example.expect == "runtime-fails" and kind == "invalid":
        # a hard-coded accelerator fails in eager Python too on a CPU machine: what is wrong is
        # that the *scripted* module raises where it is deployed
        return runtime_verdict(module, example.root, inputs)
    if example.expect == "warns":
        return warning_verdict(module, example.root)
    if example.expect == "save-fails":
        return save_verdict(module, example.root)
    if example.mode == EXPORT:
        return export_verdict(module, example.root, inputs)
    if example.mode == TRACE or example.expect == "trace-diverge":
        return trace_verdict(module, example.root, inputs, example.check)
    return script_verdict(module, example.root, inputs)


EXPECTED_WRONG = {
    "reject": {"rejected"},
    "diverge": {"diverges"},
    "trace-diverge": {"fails", "diverges"},
    "save-fails": {"save-fails"},
    "warns": {"warns"},
    "runtime-fails": {"diverges"},
    # JIT6xx, held against torch.export.export (every dim Dim.AUTO, non-strict)
    "export-fails": {"fails"},
    "export-diverges": {"diverges"},
}
EXPECTED_RIGHT = {"reject": {"matches"}, "diverge": {"matches"}, "trace-diverge": {"matches"},
                  "save-fails": {"saves"}, "warns": {"silent"}, "runtime-fails": {"matches"},
                  "export-fails": {"matches"}, "export-diverges": {"matches"}}


@pytest.mark.parametrize("rule,kind,example", CASES)
def test_example(rule, kind, example):
    findings = lint(example)
    if kind == "invalid":
        line = example.marked_line
        assert line is not None, "INVALID example needs a '# MARK' line"
        hits = [f for f in findings if f.code == rule.code and f.row == line]
        assert hits, f"{rule.code} not reported at line {line}; got {[(f.code, f.row, f.message) for f in findings]}"
    else:
        # Using TorchScript at all is deprecated (JIT4xx): a valid TorchScript program may still
        # call torch.jit.script. Deployment hazards (JIT5xx: the module cannot be saved, or an
        # @torch.jit.unused path raises if reached) do not contradict what other families' VALID
        # examples prove (compiles and matches eager). Every other family must stay silent.
        relevant = [f for f in findings
                    if not f.code.startswith(("JIT4", "JIT5")) or f.code[:4] == rule.code[:4]]
        assert not relevant, f"VALID example has findings: {[(f.code, f.row, f.message) for f in relevant]}"
    if example.expect == "runtime-fails" and torch.cuda.is_available():
        pytest.skip("hard-coded CUDA device runs here: the evidence needs a CPU-only machine")
    verdict, detail = compiler_verdict(example, kind)
    expected = EXPECTED_WRONG[example.expect] if kind == "invalid" else EXPECTED_RIGHT[example.expect]
    assert verdict in expected, f"compiler says {verdict} ({detail}); expected {sorted(expected)}"


def test_every_rule_has_evidence():
    missing = [code for code, rule in all_rules().items()
               if not code.startswith("JIT0") and (not rule.INVALID or not rule.VALID)]
    assert not missing, f"rules without both VALID and INVALID examples: {missing}"
