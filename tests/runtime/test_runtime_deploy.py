"""verify(export=True) and verify(cpp=True): torch.export.export and a C++ (libtorch) load,
against the real torch (no mocks)."""

import shutil
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

import deploy_models as dm  # noqa: E402
from jitlint.runtime import cpp_load, verify  # noqa: E402
from jitlint.runtime.deploy_checks import dynamic_spec  # noqa: E402

MODELS = Path(dm.__file__)


def line_of(tag):
    return next(i for i, text in enumerate(MODELS.read_text().splitlines(), 1) if f"# {tag}" in text)


def export_row(report):
    return report.result("export", "cpu")


def run(model, **kwargs):
    return verify(model.eval(), dm.inputs(), modes=["script"], devices=["cpu"], export=True, **kwargs)


def test_clean_model_exports_runs_and_reloads():
    report = run(dm.Clean(), static_check=False)
    row = export_row(report)
    assert report.ok, report
    assert row.checks == {"compile": "pass", "run": "pass", "compare": "pass", "state": "skip", "save_load": "pass"}
    assert any("dynamic dims" in n and "arg 0 dim 0" in n for n in report.notes)


def test_tensor_value_branch_fails_export_with_jit601_at_its_line():
    report = run(dm.Branchy(), static_check=False, save_load=False)
    row = export_row(report)
    assert not report.ok
    [problem] = [p for p in row.problems if p.check == "compile"]
    assert problem.code == "JIT601" and "GuardOnDataDependentSymNode" in problem.summary
    assert problem.location.line == line_of("BRANCH")
    assert row.checks["run"] == "skip"


def test_size_loop_guard_rejects_the_second_size_as_jit604():
    row = export_row(run(dm.SizeLoop(), static_check=False, save_load=False))
    [problem] = [p for p in row.problems if p.check == "run"]
    assert problem.input_index == 1 and "Guard failed" in problem.summary
    assert problem.code == "JIT604" and problem.causes[0].location.line == line_of("LOOP")


def test_python_counter_is_frozen_by_export_as_jit606():
    row = export_row(run(dm.Counter(), static_check=False, save_load=False))
    [problem] = [p for p in row.problems if p.check == "compare"]
    assert problem.input_index == 1 and problem.code == "JIT606"


def test_dynamic_dims_come_from_the_inputs_and_avoid_size_one_examples():
    inputs = [(torch.ones(1, 3),), (torch.ones(5, 3),), (torch.ones(2, 3),)]
    example, spec, notes = dynamic_spec(inputs)
    assert example == 1 and list(spec[0]) == [0]
    example, spec, notes = dynamic_spec([(torch.ones(1, 3),), (torch.ones(0, 3),)])
    assert example == 0 and any("size 0 or 1" in n for n in notes)
    assert dynamic_spec([(torch.ones(2, 3),)])[1] == (None,)


def test_cpp_check_is_skipped_with_a_reason_without_a_compiler(monkeypatch, tmp_path):
    monkeypatch.setenv("CXX", "no-such-c++-compiler")
    monkeypatch.setenv("JITLINT_CPP_CACHE", str(tmp_path))
    report = verify(dm.Clean().eval(), dm.inputs(), modes=["script"], devices=["cpu"], cpp=True, static_check=False)
    row = report.result("cpp:script", "cpu")
    assert report.ok and row.skipped_reason and "no C++ compiler" in row.skipped_reason


@pytest.mark.skipif(cpp_load.compiler() is None or shutil.which("g++") is None and shutil.which("clang++") is None,
                    reason="no C++ compiler: the libtorch loader cannot be built")
def test_scripted_and_traced_models_load_and_run_in_cpp():
    # builds the loader once per torch version into the user cache (~40 s on 2 cores), then reuses it
    report = verify(dm.Clean().eval(), dm.inputs(), modes=["script", "trace"], devices=["cpu"], cpp=True,
                    static_check=False)
    for mode in ("cpp:script", "cpp:trace"):
        row = report.result(mode, "cpu")
        assert row.checks == {"compile": "pass", "run": "pass", "compare": "pass", "state": "skip",
                              "save_load": "pass"}, (mode, row)
    assert report.ok, report
    assert cpp_load.loader_path().exists()
