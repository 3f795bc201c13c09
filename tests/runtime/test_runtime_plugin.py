"""The pytest plugin as users get it: loaded through the ``pytest11`` entry point in a separate
pytest session, with the failure message being the readable report."""

import os
import subprocess
import sys
import textwrap

USER_TESTS = textwrap.dedent(
    '''
    import pytest
    import torch
    from jitlint.plugins.pytest_plugin import device_params


    def center(x):
        return x - x.mean().item()


    def test_good(jit_verify):
        model = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Tanh()).eval()
        report = jit_verify(model, [(torch.ones(2, 3),), (torch.ones(4, 3),)], save_load=False)
        assert report.ok


    def test_bad(jit_verify):
        jit_verify(center, [(torch.tensor([1.0, 3.0]),), (torch.tensor([10.0, 30.0]),)],
                   devices=("cpu",), save_load=False)


    def test_on_each_device(jit_verify, jit_device):
        jit_verify(torch.nn.Linear(2, 2).eval(), [(torch.ones(1, 2),)], devices=(jit_device,), save_load=False)


    @pytest.mark.parametrize("device", device_params(["cuda"]))
    def test_cuda_only(device):
        assert torch.cuda.is_available()
    '''
)


def test_plugin_and_runtime_package_import_without_torch():
    code = ("import sys, jitlint.plugins.pytest_plugin, jitlint.runtime, jitlint.runtime.cli; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_fixture_marker_and_failure_message(tmp_path):
    (tmp_path / "test_user_model.py").write_text(USER_TESTS)
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "test_user_model.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env,
    )
    out = proc.stdout
    assert proc.returncode == 1, out
    assert "1 failed, 2 passed, 2 skipped" in out, out
    # the failure is the verify report, not a traceback into jitlint
    assert "NOT verified" in out and "JIT302 tensor-to-python" in out and "input #1" in out
    assert "jitlint/runtime" not in out and "runtime/api.py" not in out
    assert "SKIPPED [2]" in out and "CUDA not available" in out  # both cuda cases, one reason
