"""The fresh-process load really cannot import the model's source.

A model defined in a package outside the repository is imported here the normal way, then
verified; the load runs in a child interpreter that (a) reports the model's module as not
importable and (b) under the very same isolation fails to ``import`` it, while an ordinary
interpreter started next to the source imports it fine (so the check can fail).
"""

import importlib
import subprocess
import sys
import textwrap

import pytest
import torch

from jitlint.runtime import verify
from jitlint.runtime.isolated_load import isolated_python_command

MODEL_SOURCE = textwrap.dedent(
    """
    import torch
    from torch import nn


    class Gate(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(4, 4)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.sigmoid(self.proj(x)) * x
    """
)


@pytest.fixture
def model_package(tmp_path, monkeypatch):
    src = tmp_path / "src"
    package = src / "isolation_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "gate.py").write_text(MODEL_SOURCE)
    monkeypatch.syspath_prepend(str(src))
    # even an inherited PYTHONPATH pointing at the source must not leak into the child
    monkeypatch.setenv("PYTHONPATH", str(src))
    module = importlib.import_module("isolation_pkg.gate")
    yield src, module
    for name in ("isolation_pkg.gate", "isolation_pkg"):
        sys.modules.pop(name, None)


def test_fresh_process_cannot_import_the_model(model_package, tmp_path):
    src, module = model_package
    torch.manual_seed(0)
    model = module.Gate().eval()
    report = verify(model, [(torch.randn(2, 4),), (torch.randn(3, 4),)], devices=("cpu",), static_check=False)
    assert report.ok, report.render_text()
    assert report.result("script").checks["save_load"] == "pass"
    assert report.result("trace").checks["save_load"] == "pass"

    evidence = report.isolation
    assert evidence["model_modules"]["isolation_pkg.gate"]["importable"] is False
    assert "No module named 'isolation_pkg'" in evidence["model_modules"]["isolation_pkg.gate"]["detail"]
    assert str(src) not in evidence["sys_path"]
    assert evidence["flags"] == {"isolated": True, "no_site": True}
    assert str(src) in evidence["forbidden_paths"]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    isolated = subprocess.run(
        isolated_python_command("import isolation_pkg.gate", evidence["forbidden_paths"]),
        cwd=elsewhere, capture_output=True, text=True, timeout=60,
    )
    assert isolated.returncode != 0
    assert "ModuleNotFoundError: No module named 'isolation_pkg'" in isolated.stderr

    ordinary = subprocess.run([sys.executable, "-c", "import isolation_pkg.gate"], cwd=src,
                              capture_output=True, text=True, timeout=60)
    assert ordinary.returncode == 0, ordinary.stderr


def test_editable_installs_are_invisible_in_the_fresh_process(tmp_path):
    """jitlint itself is installed editable (a .pth import hook): -S keeps such hooks out."""
    visible = subprocess.run([sys.executable, "-c", "import jitlint"], cwd=tmp_path, capture_output=True, timeout=60)
    assert visible.returncode == 0
    hidden = subprocess.run(isolated_python_command("import jitlint"), cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert hidden.returncode != 0 and "No module named 'jitlint'" in hidden.stderr
