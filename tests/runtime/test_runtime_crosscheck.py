"""Runtime failures next to the static check: flagged line / code, and graceful degradation
when the linter API is missing or broken. The degradation cases replace the linter API with
a stand-in (to make it absent or raise); the agreement cases use the real linter. torch.jit is
always real."""

import types

import pytest
import torch

import verify_cases as vc
from jitlint.runtime import verify

INPUTS = [(torch.tensor([1.0, 3.0]),), (torch.tensor([10.0, 30.0]),)]
OPTS = dict(modes=("trace",), devices=("cpu",), save_load=False)


def item_line():
    return next(i for i, t in enumerate(open(vc.__file__).read().splitlines(), 1) if "# MARK item" in t)


def fake_linter(monkeypatch, check_paths):
    module = types.ModuleType("jitlint.linter.api")
    module.check_paths = check_paths
    from jitlint.linter.config import load_settings

    module.load_settings = load_settings  # the real settings loader: only the findings are faked
    monkeypatch.setitem(__import__("sys").modules, "jitlint.linter.api", module)


def finding(code, row, path=vc.__file__):
    return types.SimpleNamespace(code=code, row=row, path=path)


def mismatch(report):
    return next(p for p in report.result("trace").problems if p.check == "compare")


def test_flagged_line_and_code(monkeypatch):
    seen = []

    def check_paths(paths, settings=None):
        seen.append(list(paths))
        return [finding("JIT302", item_line())]

    fake_linter(monkeypatch, check_paths)
    report = verify(vc.center, INPUTS, **OPTS)
    assert seen == [[vc.__file__]]
    static = mismatch(report).static
    assert static["flagged_line"] and static["flagged_code"]
    assert "flagged JIT302 at this line" in static["summary"]
    assert "static check: flagged JIT302" in report.render_text()


def test_code_reported_on_another_line(monkeypatch):
    fake_linter(monkeypatch, lambda paths, settings=None: [finding("JIT302", item_line() + 40)])
    static = mismatch(verify(vc.center, INPUTS, **OPTS)).static
    assert not static["flagged_line"] and static["flagged_code"]
    assert "reported elsewhere" in static["summary"]


def test_not_flagged(monkeypatch):
    fake_linter(monkeypatch, lambda paths, settings=None: [])
    static = mismatch(verify(vc.center, INPUTS, **OPTS)).static
    assert static["summary"] == "not flagged by jitlint check"


def test_missing_linter_api_degrades_to_a_note(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "jitlint.linter.api", None)  # import -> ImportError
    report = verify(vc.center, INPUTS, **OPTS)
    assert report.static["available"] is False
    assert "static cross-check unavailable" in report.static["note"]
    assert mismatch(report).static is None and mismatch(report).code == "JIT302"
    assert "static cross-check unavailable" in report.render_text()


def test_raising_linter_api_degrades_to_a_note(monkeypatch):
    def check_paths(paths, settings=None):
        raise RuntimeError("rule crashed")

    fake_linter(monkeypatch, check_paths)
    report = verify(vc.center, INPUTS, **OPTS)
    assert "static cross-check failed (RuntimeError: rule crashed)" in report.static["note"]
    assert not report.ok  # the runtime verdict is unchanged


def test_real_linter_flags_the_traced_function_it_was_told_about():
    """verify tells the linter which plain function it traced, so `.item()` there is flagged."""
    report = verify(vc.center, INPUTS, **OPTS)
    static = mismatch(report).static
    assert static["flagged_line"] and "JIT302" in static["codes_at_lines"], static


def test_real_linter_agrees_on_a_script_rejection():
    report = verify(vc.TryInForward(), [(torch.ones(2),)], modes=("script",), devices=("cpu",), save_load=False)
    error = report.result("script").problems[0]
    assert error.code == "JIT101"
    assert error.static["flagged_code"] and error.static["flagged_line"], error.static
    assert "jitlint check would have caught it" in report.render_text()
