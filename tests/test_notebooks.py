"""Notebooks are checked cell by cell, as ruff does: the real CLI on real .ipynb files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from jitlint.linter.analysis.notebook import cell_position, notebook_source


def write_notebook(path: Path, cells) -> None:
    doc = {"cells": [{"cell_type": kind, "metadata": {}, "source": src} for kind, src in cells],
           "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(doc))


CELLS = [
    ("markdown", ["# A model\n"]),
    ("code", ["import torch\n", "%matplotlib inline\n", "from torch import nn\n"]),
    ("code", ["class M(nn.Module):\n", "    def forward(self, x):\n", "        try:\n",
              "            return x * 2\n", "        except RuntimeError:\n", "            return x\n",
              "\n", "m = torch.jit.script(M())\n"]),
]


def jitlint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jitlint", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_findings_name_the_cell_and_the_row_in_it(tmp_path):
    write_notebook(tmp_path / "nb.ipynb", CELLS)
    r = jitlint(tmp_path, "nb.ipynb")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "nb.ipynb:cell 3:3:9: JIT101" in r.stdout, r.stdout
    found = json.loads(jitlint(tmp_path, "--output-format", "json", "nb.ipynb").stdout)
    jit101 = next(f for f in found if f["code"] == "JIT101")
    assert jit101["cell"] == 3 and jit101["location"] == {"row": 3, "column": 9}


def test_directories_include_notebooks_and_noqa_works_in_cells(tmp_path):
    cells = [c if i != 2 else ("code", [s.replace("try:\n", "try:  # noqa: JIT101\n") for s in c[1]])
             for i, c in enumerate(CELLS)]
    write_notebook(tmp_path / "nb.ipynb", cells)
    r = jitlint(tmp_path, "--select", "JIT1", ".")
    assert r.returncode == 0, r.stdout + r.stderr
    write_notebook(tmp_path / "nb.ipynb", CELLS)
    assert "nb.ipynb:cell 3:3:9: JIT101" in jitlint(tmp_path, ".").stdout


def test_a_file_that_is_not_a_notebook_is_a_finding(tmp_path):
    (tmp_path / "dict.ipynb").write_text('{"a": 1}')  # valid Python too: it must not pass
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    r = jitlint(tmp_path, "dict.ipynb", "broken.ipynb")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "dict.ipynb:1:1: JIT002 not a notebook" in r.stdout
    assert "broken.ipynb:1:1: JIT002 not a notebook: invalid JSON" in r.stdout


def test_magics_keep_line_numbers_and_cells_map_back():
    doc = {"cells": [{"cell_type": "code", "source": "a = 1\n!ls\nb = 2"},
                     {"cell_type": "markdown", "source": "x"},
                     {"cell_type": "code", "source": "%%time\nc = 3"},
                     {"cell_type": "code", "source": ["d = 4\n", "e = d?\n"]}]}
    code, starts = notebook_source(json.dumps(doc))
    assert code.splitlines() == ["a = 1", "# !ls", "b = 2", "# %%time", "# c = 3", "d = 4", "# e = d?"]
    compile(code, "nb", "exec")
    assert cell_position(starts, 3) == (1, 3)
    assert cell_position(starts, 5) == (3, 2)
    assert cell_position(starts, 6) == (4, 1)
