"""Every codemod's ``name.in.py`` / ``name.out.py`` fixture pairs, held against the real compiler.

A pair lives in ``tests/codemods/fixtures/``. The "in" file declares, as a literal at module
level, what it is about::

    JITLINT_FIXTURE = {
        "codes": ["JIT304"],          # the rules whose fixes are applied (--select)
        "unsafe": True,               # --unsafe-fixes
        "mode": "trace",              # "script" or "trace": how the compiler is given the root
        "root": "Model",              # a function, or an nn.Module class built with no arguments
        "inputs": "[(torch.ones(3),), (-torch.ones(3),)]",
        "expect": "trace-diverge",    # how the compiler proves "in" wrong (as for rule examples)
    }

and each pair must hold, whatever the codemod:

- the compiler proves "in" wrong (rejected, mistraced, ...) and accepts "out", which then
  matches eager on every input;
- eager Python gives "in" and "out" the same results on those inputs;
- ``fix_source`` on "in" with those rules writes exactly "out" (so the pair is what jitlint
  does, not what someone wished it did), and fixing "out" again changes nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Dict

import pytest

torch = pytest.importorskip("torch")

from compiler import eager_results, same_eager  # noqa: E402
from test_rule_examples import EXPECTED_RIGHT, EXPECTED_WRONG, compiler_verdict  # noqa: E402
from jitlint.codemods.fix_loop import fix_source  # noqa: E402
from jitlint.linter.config import Settings  # noqa: E402
from jitlint.linter.rules.base import SCRIPT, TRACE, Example  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
FILENAME = "x.py"
PAIRS = sorted(p for p in FIXTURES.glob("*.in.py"))


def meta(source: str) -> Dict[str, Any]:
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "JITLINT_FIXTURE" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("the fixture declares no JITLINT_FIXTURE = {...}")


def example_of(source: str, info: Dict[str, Any]) -> Example:
    return Example(code=source, root=info["root"], inputs=info["inputs"],
                   expect=info.get("expect", "reject"), mode=info.get("mode", SCRIPT))


def settings_of(info: Dict[str, Any]) -> Settings:
    mode = TRACE if info.get("mode") == TRACE else SCRIPT
    return Settings(select=list(info["codes"]), modes=[mode],
                    script_roots=[info["root"]] if mode == SCRIPT else [],
                    trace_roots=[info["root"]] if mode == TRACE else [])


def test_there_are_fixture_pairs():
    assert PAIRS, f"no fixture pairs in {FIXTURES}"
    for path in PAIRS:
        assert path.with_name(path.name.replace(".in.py", ".out.py")).exists(), f"{path.name} has no .out.py"


@pytest.mark.parametrize("path", PAIRS, ids=[p.name[: -len(".in.py")] for p in PAIRS])
def test_fixture_pair(path: Path):
    source_in = path.read_text()
    source_out = path.with_name(path.name.replace(".in.py", ".out.py")).read_text()
    info = meta(source_in)
    expect = info.get("expect", "reject")
    example_in, example_out = example_of(source_in, info), example_of(source_out, info)

    verdict, detail = compiler_verdict(example_in, "invalid")
    assert verdict in EXPECTED_WRONG[expect], f"the compiler does not prove 'in' wrong: {verdict} {detail}"
    verdict, detail = compiler_verdict(example_out, "valid")
    assert verdict in EXPECTED_RIGHT[expect], f"the compiler does not accept 'out': {verdict} {detail}"
    before, after = eager_results(source_in, example_in), eager_results(source_out, example_out)
    assert same_eager(before, after), f"eager results differ:\nin  {before}\nout {after}"

    settings = settings_of(info)
    report = fix_source(source_in, FILENAME, settings, unsafe=bool(info.get("unsafe")))
    assert not report.rolled_back and not report.not_converged, (report.rolled_back, report.not_converged)
    fixed = report.files.get(FILENAME)
    assert fixed is not None, "jitlint fixed nothing in 'in'"
    assert fixed.text == source_out, f"jitlint writes something else than 'out':\n{fixed.text}"
    again = fix_source(source_out, FILENAME, settings, unsafe=bool(info.get("unsafe")))
    assert again.fixed == 0 and FILENAME not in again.files, "a second fix run changes 'out'"
