"""``--types mypy``: mypy's types fill in what the local inference cannot see across files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

pytest.importorskip("mypy")
pytest.importorskip("torch")  # mypy reads torch's type information (it never imports torch)

from jitlint.linter.config import Settings  # noqa: E402
from jitlint.linter.discovery import discover  # noqa: E402
from jitlint.linter.engine import check_files  # noqa: E402


def test_mypy_mode_types_an_imported_helpers_result(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "helpers.py").write_text(textwrap.dedent("""
        import torch

        def scale(x: torch.Tensor) -> torch.Tensor:
            return x * 2
    """))
    (pkg / "model.py").write_text(textwrap.dedent("""
        from torch import nn
        from .helpers import scale

        class M(nn.Module):
            def forward(self, x):
                y = scale(x)
                if y.sum() > 0:
                    return y
                return -y
    """))

    def lint(types):
        settings = Settings(select=["JIT304"], types=types, project_root=str(tmp_path),
                            cache_dir=str(tmp_path / ".cache"))
        found = discover([str(tmp_path)], settings)
        return [(Path(f.path).name, f.row, f.code) for f in check_files(found.files, settings).findings]

    assert lint("local") == []  # the local inference does not follow the import
    assert lint("mypy") == [("model.py", 8, "JIT304")]
