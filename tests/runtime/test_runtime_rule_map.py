"""The message -> rule-code table, against messages torch really produced.

The ground-truth run recorded the exact text of every rejection (results.json); each one must
map to the rule the static linter uses for that construct (the expected codes below are the
specification, one per snippet), using the source line the compiler points at.
"""

import re

import pytest

from jitlint.runtime import rule_map
from runtime_test_support import (EXPECTED_COMPILE_CODES, GT_MISSING_REASON, NO_CODE, SNIPPETS, have_ground_truth,
                                  results_by_id, snippet_ids)


def test_every_code_in_the_table_is_a_known_rule():
    for entry in rule_map.RULE_TABLE:
        assert entry.code in rule_map.RULE_NAMES
        assert re.fullmatch(r"JIT\d{3}", entry.code)


def test_expectations_cover_every_recorded_rejection():
    if not have_ground_truth():
        pytest.skip(GT_MISSING_REASON)
    rejected = set(snippet_ids("script", lambda r: r.get("compiles") is False))
    assert rejected == set(EXPECTED_COMPILE_CODES) | NO_CODE


@pytest.mark.parametrize("snippet_id", snippet_ids("script", lambda r: r.get("compiles") is False))
def test_recorded_rejection_maps_to_its_rule(snippet_id):
    error = results_by_id()[snippet_id]["error"]
    match = rule_map.classify(error["message"], source_line=error.get("highlight_text"), phase="compile",
                              mode="script")
    expected = EXPECTED_COMPILE_CODES.get(snippet_id)
    assert (match.code if match else None) == expected, error["first_line"]


@pytest.mark.parametrize("message, source, phase, mode, expected", [
    # runtime failures of scripted code (messages recorded in CATALOG.md)
    ("RuntimeError: Expected a proper Tensor but got None (or an undefined Tensor in C++) for argument #1 'other'",
     None, "run", "script", "JIT202"),
    ("The specifier %. is not supported in TorchScript format strings", None, "run", "script", "JIT127"),
    ("Cannot input a tensor of dimension other than 0 as a scalar argument", None, "run", "script", "JIT116"),
    (" expected value of type Tensor for return value but instead got value of type int.", None, "run", "script",
     "JIT210"),
    ("Cast error details: toIValue() cannot handle converting to type: list", None, "run", "script", "JIT207"),
    # export
    ("Could not export Python function call 'py_helper'. Remove calls to Python functions before export.",
     None, "save", "script", "JIT501"),
    # tracing
    ("Tracing failed sanity checks!\nERROR: Graphs differed across invocations!", None, "compile", "trace", "JIT310"),
    ("Encountering a dict at the output of the tracer might cause the trace to be incorrect", None, "compile",
     "trace", "JIT311"),
    ("Type 'Tuple[Tensor, int]' cannot be traced. Only Tensors and (possibly nested) Lists, Dicts, and Tuples",
     None, "compile", "trace", "JIT312"),
    ("forward() expected at most 2 argument(s) but received 3 argument(s).", None, "run", "trace", "JIT312"),
    ("Tensor on device cpu is not on the expected device meta!", None, "run", "trace", "JIT308"),
    # TracerWarnings: the line separates sizes from values
    ("Converting a tensor to a Python integer might cause the trace to be incorrect.", "n = int(x.size(0))",
     "warning", "trace", "JIT303"),
    ("Converting a tensor to a Python integer might cause the trace to be incorrect.", "k = int(x.max())",
     "warning", "trace", "JIT302"),
    ("Converting a tensor to a Python number might cause the trace to be incorrect.",
     "return torch.full((x.shape[0],), x.max().item())", "warning", "trace", "JIT302"),
    ("Converting a tensor to a Python boolean might cause the trace to be incorrect.", "if x.sum() > 0:",
     "warning", "trace", "JIT304"),
    ("Converting a tensor to a Python boolean might cause the trace to be incorrect.", "if x.shape[0] == 1:",
     "warning", "trace", "JIT305"),
    ("Using len to get tensor shape might cause the trace to be incorrect.", "n = len(x)", "warning", "trace",
     "JIT301"),
    ("Iterating over a tensor might cause the trace to be incorrect.", "for row in x:", "warning", "trace", "JIT306"),
    ("torch.tensor results are registered as constants in the trace.", "t = torch.tensor([n])", "warning", "trace",
     "JIT307"),
])
def test_message_table(message, source, phase, mode, expected):
    match = rule_map.classify(message, source_line=source, phase=phase, mode=mode)
    assert match is not None and match.code == expected


def test_source_hint_entries_need_the_source_line():
    message = "'Tensor' object has no attribute or method 'forward'.:"
    assert rule_map.classify(message, source_line="return super().forward(x) + 1").code == "JIT139"
    assert rule_map.classify(message, source_line="return x.forward()").code == "JIT145"
    assert rule_map.classify(message).code == "JIT145"


def test_warning_only_entries_do_not_match_errors():
    text = "Converting a tensor to a Python boolean might cause the trace to be incorrect."
    assert rule_map.classify(text, phase="run") is None
    assert rule_map.classify(text, phase="warning").code == "JIT304"


def test_unknown_message_maps_to_nothing():
    assert rule_map.classify("something entirely different happened") is None


def test_snippet_folder_layout_assumption():
    if not results_by_id():
        pytest.skip("ground truth absent")
    assert (SNIPPETS / "script").is_dir() and (SNIPPETS / "trace").is_dir()
