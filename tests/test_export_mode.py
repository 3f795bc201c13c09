"""The opt-in ``export`` mode: JIT6xx findings follow what torch.export.export runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from jitlint.linter.config import ConfigError, Settings, settings_from_table
from jitlint.linter.engine import check_source

SOURCE = textwrap.dedent("""
    import torch
    from torch import nn

    def _gate(x):
        if x.sum() > 0:
            return x
        return -x

    @torch.jit.script_if_tracing
    def _scaled(x):
        return x.numpy()

    class Net(nn.Module):
        def forward(self, x):
            return _scaled(_gate(x))

    def unused(x):
        if x.sum() > 0:
            return x
        return x
""").lstrip()


def codes(settings):
    return sorted((f.code, f.row) for f in check_source(SOURCE, "net.py", settings) if f.code.startswith("JIT6"))


def test_export_rules_follow_forward_and_its_helpers():
    # _gate is called from forward, a script_if_tracing helper runs as Python while exporting
    # (torch.jit.is_tracing() is False), and a function nothing exported calls is not reported
    assert codes(Settings(select=["JIT6"], modes=["export"])) == [("JIT601", 5), ("JIT607", 11)]


def test_export_mode_is_opt_in():
    assert codes(Settings(select=["JIT6"])) == []
    assert codes(Settings(select=["JIT6"], modes=["script", "trace"])) == []


def test_config_and_cli_accept_export(tmp_path):
    assert settings_from_table({"modes": ["export"]}, "pyproject.toml", Settings()).modes == ["export"]
    with pytest.raises(ConfigError, match="export"):
        settings_from_table({"modes": ["compile"]}, "pyproject.toml", Settings())
    (tmp_path / "net.py").write_text(SOURCE)
    run = subprocess.run([sys.executable, "-m", "jitlint", "check", "--modes", "export", "--select", "JIT6",
                          "--no-cache", "net.py"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    assert "net.py:5:" in run.stdout and "JIT601" in run.stdout and "JIT607" in run.stdout
