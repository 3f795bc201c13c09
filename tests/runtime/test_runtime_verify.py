"""verify() end to end on the self-contained cases in verify_cases.py (real torch.jit, CPU)."""

import warnings

import pytest
import torch

import verify_cases as vc
from jitlint.runtime import Case, Report, VerificationError, assert_verified, verify
from jitlint.runtime.compat import torch_version_tuple

FAST = dict(devices=("cpu",), save_load=False, static_check=False)


def mark_line(tag):
    for number, text in enumerate(open(vc.__file__).read().splitlines(), 1):
        if f"# MARK {tag}" in text:
            return number
    raise AssertionError(tag)


def problems(report, mode, check=None, severity="fail"):
    result = report.result(mode)
    return [p for p in result.problems if (check is None or p.check == check) and p.severity == severity]


def test_supported_cnn_verifies_clean_including_fresh_process_load():
    report = verify(vc.SmallCNN().eval(), vc.cnn_inputs(), static_check=False)
    assert report.ok, report.render_text()
    for mode in ("script", "trace"):
        assert report.result(mode, "cpu").checks == {
            "compile": "pass", "run": "pass", "compare": "pass", "state": "pass", "save_load": "pass"}
    # the fresh process ran isolated and could not see the test's model module
    assert report.isolation["flags"] == {"isolated": True, "no_site": True}
    assert report.isolation["model_modules"]["verify_cases"]["importable"] is False
    assert "verified:" in report.render_text()


def test_cuda_is_reported_as_skipped_without_failing():
    if torch.cuda.is_available():
        pytest.skip("a GPU is available here; see test_cuda_checks_compare_against_cpu_eager")
    report = verify(vc.center, [(torch.ones(2),)], devices=("cpu", "cuda"), save_load=False, static_check=False)
    cuda = report.result("script", "cuda")
    assert cuda.skipped_reason and "CUDA skipped" in cuda.skipped_reason
    assert not cuda.failed
    assert any(n.startswith("CUDA skipped") for n in report.notes)


@pytest.mark.jitlint_cuda
def test_cuda_checks_compare_against_cpu_eager():
    report = verify(vc.SmallCNN().eval(), vc.cnn_inputs(), devices=("cuda",), static_check=False)
    assert report.ok, report.render_text()
    assert {r.device for r in report.results} == {"cuda"}


def test_silent_trace_divergence_names_input_code_and_line():
    inputs = [(torch.tensor([1.0, 3.0]),), (torch.tensor([10.0, 30.0]),)]
    report = verify(vc.center, inputs, **FAST)
    assert report.result("script").checks["compare"] == "pass"
    (mismatch,) = problems(report, "trace", "compare")
    assert mismatch.input_index == 1
    assert mismatch.code == "JIT302"
    assert mismatch.max_abs_diff == pytest.approx(18.0)
    assert mismatch.causes[0].location.line == mark_line("item")
    assert not report.ok


def test_script_compile_error_is_located_and_mapped():
    report = verify(vc.uses_try, [(torch.ones(2),)], **FAST)
    (error,) = problems(report, "script", "compile")
    assert error.code == "JIT101" and error.rule == "try-statement"
    assert error.location.line == mark_line("try")
    assert any("<--- HERE" in line for line in error.excerpt)
    assert report.result("script").checks["run"] == "skip"
    assert report.result("trace").checks["compare"] == "pass"  # tracing never sees the try


def test_run_error_is_located_at_the_innermost_user_frame():
    # scripted: y keeps its first type (int), so the tensor from the branch is forced through
    # aten::IntImplicit, which raises for a 1-d tensor; eager just returns the tensor
    report = verify(vc.calls_rebinds, [(torch.ones(2),)], modes=("script",), **FAST)
    (error,) = problems(report, "script", "run")
    assert error.code == "JIT116" and error.input_index == 0
    assert error.location.line == mark_line("implicit")


def test_python_attribute_state_counter():
    model = vc.Counter()
    report = verify(model, [(torch.ones(1),), (torch.ones(1),)], **FAST)
    assert report.state_changes == ["calls (attribute)"]
    assert report.result("script").checks["state"] == "pass"
    assert report.result("script").checks["compare"] == "pass"
    (trace_error,) = problems(report, "trace", "compile")
    assert trace_error.code == "JIT310"
    assert "calls" in trace_error.causes[0].detail
    assert model.calls == 0, "verify must not run the caller's model"


def test_counter_traced_without_check_trace_is_caught_by_state_and_compare():
    report = verify(vc.Counter(), [(torch.ones(1),), (torch.ones(1),)], trace_kwargs={"check_trace": False}, **FAST)
    trace = report.result("trace")
    assert trace.checks["compile"] == "pass"
    state = problems(report, "trace", "state")
    assert state and state[0].code == "JIT310" and "does not keep" in state[0].summary
    side_effect = [p for p in trace.problems if p.code == "JIT314"]
    assert side_effect, "tracing itself ran forward and changed the counter"
    (mismatch,) = problems(report, "trace", "compare")
    assert mismatch.input_index == 1


def test_training_mode_trace_is_compared_after_eval():
    report = verify(vc.TrainingBranch(), [(torch.ones(2),)], **FAST)
    assert report.result("script").checks["compare"] == "pass"
    (mismatch,) = problems(report, "trace", "compare")
    assert mismatch.code == "JIT313" and "after .eval()" in mismatch.summary
    assert verify(vc.TrainingBranch().eval(), [(torch.ones(2),)], **FAST).ok


def test_ignored_python_call_cannot_be_saved():
    report = verify(vc.IgnoredHelper(), [(torch.ones(2),)], modes=("script",), devices=("cpu",), static_check=False)
    script = report.result("script")
    assert script.checks["compare"] == "pass"
    (save,) = problems(report, "script", "save_load")
    assert save.code == "JIT501"
    assert "Could not export Python function call 'describe'" in save.summary


def test_str_format_spec_silently_unformatted():
    report = verify(vc.format_score, [(1.23456,)], modes=("script",), **FAST)
    (mismatch,) = problems(report, "script", "compare")
    assert "'{:.2f}'" in mismatch.summary and "'1.23'" in mismatch.summary
    assert mismatch.code == "JIT126"
    assert mismatch.causes[0].location.line == mark_line("format")


def test_dropped_no_grad_decorator_shows_in_requires_grad():
    x = torch.ones(2, 3, requires_grad=True)
    report = verify(vc.NoGradForward().eval(), [(x,)], **FAST)
    for mode in ("script", "trace"):  # neither compiler keeps the decorator's grad mode
        (mismatch,) = problems(report, mode, "compare")
        assert "requires_grad" in mismatch.summary
        assert mismatch.code == "JIT122"
        assert mismatch.causes[0].location.file == vc.__file__
        assert mismatch.causes[0].location.line == mark_line("no_grad")


def test_dropped_functools_wraps_decorator_on_a_helper():
    report = verify(vc.calls_scaled, [(torch.arange(3.0),)], modes=("script",), **FAST)
    (mismatch,) = problems(report, "script", "compare")
    assert mismatch.code == "JIT122"
    assert mismatch.causes[0].location.file == vc.__file__
    assert mismatch.causes[0].location.line == mark_line("wraps")


def test_list_output_built_from_unbind_raises_on_other_length():
    report = verify(vc.splits, [(torch.ones(2, 3),), (torch.ones(4, 3),)], **FAST)
    assert report.result("script").checks["run"] == "pass"
    (run_error,) = problems(report, "trace", "run")
    assert run_error.input_index == 1
    assert "Expected 2 elements in a list but found 4" in run_error.summary


def test_in_place_input_mutation_that_agrees_is_not_a_difference():
    assert verify(vc.MutatesInput().eval(), [(torch.zeros(2),), (torch.ones(3),)], **FAST).ok


def test_verify_leaves_the_model_untouched():
    model = vc.SmallCNN()  # training mode: BatchNorm would update running statistics
    before = {k: v.clone() for k, v in model.state_dict().items()}
    report = verify(model, vc.cnn_inputs(), **FAST)
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert model.training
    # and the classic bug is caught: BatchNorm traced in training mode keeps using batch
    # statistics after .eval(); tracing itself also moved the running statistics
    assert report.result("script").checks == {
        "compile": "pass", "run": "pass", "compare": "pass", "state": "pass", "save_load": "skip"}
    trace = report.result("trace")
    assert trace.checks["state"] == "warn"  # JIT314, reset before comparing
    assert any(p.code == "JIT314" and "running_mean" in p.summary for p in trace.problems)
    (after_eval,) = problems(report, "trace", "compare")
    assert after_eval.code == "JIT313" and "after .eval()" in after_eval.summary


def test_torch_jit_deprecations_stay_inside_verify_but_user_warnings_do_not():
    def warns(x):
        warnings.warn("from the user's forward", UserWarning)
        return x + 1

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = verify(warns, [(torch.ones(2),)], modes=("script",), **FAST)
    messages = [str(w.message) for w in caught]
    assert not any("torch.jit" in m and "deprecated" in m for m in messages)
    assert "from the user's forward" in messages
    if torch_version_tuple() >= (2, 11):
        assert "TorchScript is deprecated upstream" in report.notes[0]


def test_report_round_trips_through_json():
    report = verify(vc.center, [(torch.tensor([1.0, 3.0]),), (torch.tensor([10.0, 30.0]),)], **FAST)
    again = Report.from_dict(report.to_dict())
    assert again.render_text() == report.render_text()
    assert again.ok == report.ok is False


def test_assert_verified_message_is_the_report():
    with pytest.raises(VerificationError) as info:
        assert_verified(vc.center, [(torch.tensor([1.0, 3.0]),), (torch.tensor([10.0, 30.0]),)], **FAST)
    assert isinstance(info.value, AssertionError)
    assert "NOT verified" in str(info.value) and "JIT302" in str(info.value)
    case = Case(vc.SmallCNN().eval(), vc.cnn_inputs(), options=dict(FAST))
    assert assert_verified(case).ok


@pytest.mark.parametrize("inputs, error", [([], ValueError), (torch.ones(2), TypeError), (None, TypeError)])
def test_bad_inputs_are_usage_errors(inputs, error):
    with pytest.raises(error):
        verify(vc.center, inputs)


def test_bad_modes_are_usage_errors():
    with pytest.raises(ValueError):
        verify(vc.center, [(torch.ones(1),)], modes=("compile",))
