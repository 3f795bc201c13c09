"""``jitlint verify`` (``python -m jitlint.runtime.cli``) as a user runs it: exit codes,
text and JSON output, progress on stderr, the timeout, and never a traceback."""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import torch
from pathlib import Path

from jitlint.runtime.cli import main_verify

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "verify_cases.py")


def run_cli(*args, timeout=120, command=None, **kwargs):
    command = command or [sys.executable, "-m", "jitlint.runtime.cli"]
    proc = subprocess.run([*command, *args], capture_output=True, text=True, timeout=timeout, **kwargs)
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


def _installed_jitlint_verify():
    """``jitlint verify`` as installed: the console script (its directory, not the working
    directory, is on its sys.path), or the equivalent when there is none."""
    script = os.path.join(os.path.dirname(sys.executable), "jitlint")
    if os.path.isfile(script):
        return [script, "verify"]
    return [sys.executable, "-c",
            "import sys; sys.path.pop(0); from jitlint.runtime.cli import main_verify; sys.exit(main_verify())"]


MODEL_USING_CWD = """
import torch
import helpers


class Net(torch.nn.Module):
    def forward(self, x):
        return x * helpers.SCALE + 1


def target():
    return Net(), [(torch.randn(2, 3),), (torch.randn(4, 3),)]
"""


def test_a_jitlint_folder_in_the_working_directory_does_not_shadow_the_worker(tmp_path):
    decoy = tmp_path / "jitlint"
    decoy.mkdir()
    (decoy / "__init__.py").write_text('raise ImportError("decoy")\n')
    (tmp_path / "helpers.py").write_text("SCALE = 2\n")  # importable from the cwd, as before
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "model.py").write_text(MODEL_USING_CWD)
    proc = run_cli("models/model.py::target", "--device", "cpu", "--no-progress",
                   command=_installed_jitlint_verify(), cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verified:" in proc.stdout and "decoy" not in proc.stdout + proc.stderr


def test_a_worker_that_cannot_start_exits_2_and_says_so(tmp_path):
    shadow = tmp_path / "shadow" / "torch"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("broken torch on PYTHONPATH")\n')
    env = {**os.environ, "PYTHONPATH": str(shadow.parent)}
    proc = run_cli(f"{CASES}::clean_cnn", "--device", "cpu", "--no-progress", env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert ("the worker process could not start: ImportError: broken torch on PYTHONPATH"
            in proc.stderr), proc.stderr
    assert "sys.exit" not in proc.stderr and "crashed" not in proc.stderr


def test_a_model_file_that_exits_is_still_reported_as_a_crash(tmp_path):
    (tmp_path / "exits.py").write_text("import os\nos._exit(3)\n")
    proc = run_cli(f"{tmp_path / 'exits.py'}::target", "--no-progress")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "exited with code 3 while importing exits.py" in proc.stderr
    assert "does the model file call sys.exit or os._exit?" in proc.stderr


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.skipif(sys.platform == "win32", reason="venv layout of POSIX")
def test_readme_verify_after_a_non_editable_install_from_the_project_root(tmp_path):
    """The README's first install (``pip install .``, not editable) and then its verify command,
    run from the project root. torch comes from this interpreter's site-packages through a .pth
    line (a plain path entry, so this environment's editable jitlint finder is not loaded)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = str(venv / "bin" / "python")
    purelib = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    torch_dir = os.path.dirname(os.path.dirname(torch.__file__))
    (Path(purelib) / "zz_host_torch.pth").write_text(torch_dir + "\n")
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".git", ".jitlint_cache", "*.egg-info", "build",
                                                               "__pycache__", ".hypothesis", ".pytest_cache"))
    # The wheel is built by this interpreter (its setuptools) and installed like any wheel.
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "--no-index", "-w", str(tmp_path / "dist"), "."], cwd=src, capture_output=True,
                           text=True, timeout=300)
    if built.returncode != 0 and "No module named" in built.stderr:
        pytest.skip(f"cannot build a wheel offline here: {built.stderr.strip().splitlines()[-1]}")
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (tmp_path / "dist").glob("jitlint-*.whl")
    install = subprocess.run([py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    location = subprocess.run([py, "-c", "import jitlint, sys; print(jitlint.__file__)"], cwd=tmp_path,
                              capture_output=True, text=True, check=True).stdout
    assert "site-packages" in location, location  # really the installed copy
    proc = run_cli("examples/cases.py::attention", "--device", "cpu", "--no-progress",
                   command=[str(venv / "bin" / "jitlint"), "verify"], cwd=str(src), timeout=300)
    # The README's example has real problems: exit 1 with the table, never a start-up failure.
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL script/cpu compile" in proc.stdout and "JIT107" in proc.stdout
    assert "No module named" not in proc.stdout + proc.stderr and "crashed" not in proc.stderr
