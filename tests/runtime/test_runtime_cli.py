"""``jitlint verify`` (``python -m jitlint.runtime.cli``) as a user runs it: exit codes,
text and JSON output, progress on stderr, the timeout, and never a traceback."""

import json
import os
import subprocess
import sys
import time

import pytest

from jitlint.runtime.cli import main_verify

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "verify_cases.py")


def run_cli(*args, timeout=120):
    proc = subprocess.run([sys.executable, "-m", "jitlint.runtime.cli", *args], capture_output=True, text=True,
                          timeout=timeout)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def test_clean_model_exits_0_with_table_and_progress():
    proc = run_cli(f"{CASES}::clean_cnn", "--device", "cpu")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "save/load" in proc.stdout and "verified: 2 mode/device combination(s)" in proc.stdout
    assert "[jitlint verify" in proc.stderr and "fresh Python process" in proc.stderr


def test_silent_divergence_exits_1_with_input_difference_and_code():
    proc = run_cli(f"{CASES}::silent_trace", "--device", "cpu", "--no-save-load", "--no-progress")
    assert proc.returncode == 1
    out = proc.stdout
    assert "FAIL trace/cpu compare" in out and "input #1" in out and "max abs diff 18" in out
    assert "JIT302 tensor-to-python" in out and "m = x.mean().item()" in out
    assert proc.stderr == ""


def test_json_output_carries_the_report():
    proc = run_cli(f"{CASES}::script_error", "--mode", "script", "--device", "cpu", "--no-save-load",
                   "--output-format", "json", "--no-progress")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["exit_code"] == 1
    (target,) = data["targets"]
    result = target["report"]["results"][0]
    assert result["mode"] == "script" and result["checks"]["compile"] == "fail"
    problem = result["problems"][0]
    assert problem["code"] == "JIT101" and problem["location"]["file"] == CASES


def test_targets_that_cannot_be_used_exit_2_with_a_reason():
    proc = run_cli(f"{CASES}::wrong_shape", f"{CASES}::raises_while_building", f"{CASES}::NOT_CALLABLE",
                   f"{CASES}::missing_name", "--no-progress")
    assert proc.returncode == 2
    err = proc.stderr
    assert "wrong_shape() must return (model, [args_tuple, ...])" in err
    assert "raises_while_building() raised RuntimeError: checkpoint not found (at " in err
    assert "verify_cases.py:" in err
    assert "NOT_CALLABLE is a int, not a callable" in err
    assert "has no attribute 'missing_name'" in err


def test_timeout_kills_the_target_with_a_clear_message():
    started = time.monotonic()
    proc = run_cli(f"{CASES}::hangs", "--timeout", "4", "--no-progress")
    assert proc.returncode == 1
    assert "timed out after 4s while calling hangs()" in proc.stderr
    assert time.monotonic() - started < 60


def test_cuda_only_without_a_gpu_skips_and_exits_0():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is available here")
    proc = run_cli(f"{CASES}::clean_cnn", "--device", "cuda", "--no-progress")
    assert proc.returncode == 0
    assert "CUDA skipped" in proc.stdout and "nothing verified" in proc.stdout


@pytest.mark.parametrize("argv", [
    ["verify_cases.py"],  # no ::NAME
    ["does_not_exist.py::model"],
    ["--mode", "compile", f"{CASES}::clean_cnn"],
    ["--timeout", "0", f"{CASES}::clean_cnn"],
    ["--rtol", "nan", f"{CASES}::clean_cnn"],
    [],
])
def test_usage_errors_exit_2_without_starting_anything(argv, capsys):
    assert main_verify(argv) == 2
    captured = capsys.readouterr()
    assert "usage: jitlint verify" in captured.err and "error:" in captured.err
    assert "Traceback" not in captured.err


def test_help_exits_0(capsys):
    assert main_verify(["--help"]) == 0
    assert "FILE.py::NAME" in capsys.readouterr().out


def test_bundled_examples_fail_where_the_static_check_said():
    """The README's verify demo: the example attention block fails to script at the line
    jitlint check flags (JIT107), and the detection head's plain list of convs (JIT137)."""
    examples = os.path.join(os.path.dirname(CASES), "..", "..", "examples", "cases.py")
    proc = run_cli(f"{examples}::attention", f"{examples}::detection_head", "--device", "cpu", "--no-progress")
    assert proc.returncode == 1
    out = proc.stdout
    assert "FAIL script/cpu compile" in out and "[JIT107 module-global-read]" in out
    assert "static check: flagged JIT107 at this line" in out
    assert "[JIT137 unsupported-attribute-value]" in out
