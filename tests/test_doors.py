"""The static doors (CLI, python -m, flake8 plugin, pre-commit hook) never import torch."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

MODEL = textwrap.dedent(
    """
    from torch import nn


    class M(nn.Module):
        def forward(self, x):
            try:
                return x
            finally:
                pass
    """
).lstrip()

# A meta-path hook that makes `import torch` fail, proving the static side never needs it.
BLOCK_TORCH = textwrap.dedent(
    """
    import sys

    class _NoTorch:
        def find_spec(self, name, path=None, target=None):
            if name == "torch" or name.startswith("torch."):
                raise ImportError("torch is blocked in this test")
            return None

    sys.meta_path.insert(0, _NoTorch())
    """
)


def run_python(code: str, cwd: Path):
    return subprocess.run([sys.executable, "-c", BLOCK_TORCH + textwrap.dedent(code)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_check_runs_without_torch(tmp_path):
    (tmp_path / "m.py").write_text(MODEL)
    r = run_python(
        """
        from jitlint.linter.cli import main
        code = main(["check", "--no-cache", "-j", "2", "m.py"])
        assert "torch" not in sys.modules, [m for m in sys.modules if m.startswith("torch")]
        print("EXIT", code)
        """,
        tmp_path,
    )
    assert "m.py:6:9: JIT101" in r.stdout, r.stdout + r.stderr
    assert "EXIT 1" in r.stdout


def test_importing_every_static_module_leaves_torch_out(tmp_path):
    r = run_python(
        """
        import importlib, pkgutil
        import jitlint.linter, jitlint.codemods, jitlint.plugins.flake8_plugin
        for pkg in (jitlint.linter, jitlint.codemods):
            for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
                importlib.import_module(info.name)
        from jitlint.linter.rules import all_rules
        all_rules()
        import jitlint.plugins.pytest_plugin
        assert "torch" not in sys.modules
        print("OK")
        """,
        tmp_path,
    )
    assert r.stdout.strip().endswith("OK"), r.stdout + r.stderr


def test_flake8_plugin_reports_zero_based_columns(tmp_path):
    pytest.importorskip("flake8")
    path = tmp_path / "m.py"
    path.write_text(MODEL)
    r = subprocess.run([sys.executable, "-m", "flake8", "--select", "JIT", str(path)], capture_output=True,
                       text=True, timeout=120)
    # flake8 adds 1 to the plugin's 0-based column: the user sees the same 6:9 as `jitlint check`
    assert f"{path}:6:9: JIT101 " in r.stdout, r.stdout + r.stderr


def test_python_dash_m(tmp_path):
    (tmp_path / "m.py").write_text(MODEL)
    r = subprocess.run([sys.executable, "-m", "jitlint", "check", "--no-cache", "m.py"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "JIT101" in r.stdout


def test_pre_commit_hook_entry_runs(tmp_path):
    """Run the hook's entry as pre-commit does: the command, then the changed files."""
    hooks = (Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text()
    entry = next(line.split(":", 1)[1].strip() for line in hooks.splitlines() if line.strip().startswith("entry:"))
    assert "id: jitlint" in hooks and "types_or: [python, pyi, jupyter]" in hooks
    argv = entry.split()
    assert argv[0] == "jitlint"
    (tmp_path / "m.py").write_text(MODEL)
    (tmp_path / "other.py").write_text(MODEL)
    r = subprocess.run([sys.executable, "-m", "jitlint", *argv[1:], "m.py"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "m.py:6:9: JIT101" in r.stdout and "other.py" not in r.stdout


def test_every_subpackage_on_disk_is_packaged():
    """A non-editable install only ships the packages pyproject lists: a new folder left out
    installs fine, then fails with ModuleNotFoundError on a user's machine (as CI once did)."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    setup = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setup["packages"])
    mapped = {name: root / folder for name, folder in setup["package-dir"].items()}
    assert mapped == {"jitlint": root}, "the repository root is the package root (docs/ARCHITECTURE.md)"
    on_disk = {"jitlint"}
    for folder in ("linter", "runtime", "plugins", "codemods"):  # the card's folders; not tests/, bench/, .venv/
        for init in (root / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(root).parts
            on_disk.add(".".join(("jitlint", *relative)))
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages and package-dir"
