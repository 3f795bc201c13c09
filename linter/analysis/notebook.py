"""Jupyter notebooks as Python source: code cells joined, positions mapped back to cells.

As ruff does, the code cells are joined in order (each ends with a newline) and analysed as
one module, so a name defined in one cell is known in the next. IPython syntax that is not
Python (``%magic``, ``!shell``, ``?help``, ``%%cell`` magics) is turned into comments, which
keeps every line number. A finding's row in the joined text maps back to (cell, row in cell);
cells are numbered from 1 over *all* cells, as Jupyter shows them (markdown cells included).
"""

from __future__ import annotations

import bisect
import json
from typing import List, Tuple

NOTEBOOK_SUFFIX = ".ipynb"


class NotANotebook(ValueError):
    """The file is not a notebook (not JSON, or not nbformat's ``cells`` structure)."""


def _python_line(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith(("%", "!", "?")) or (stripped.endswith("?") and not stripped.startswith("#")):
        indent = line[: len(line) - len(stripped)]
        return f"{indent}# {stripped}"
    return line


def notebook_source(text: str) -> Tuple[str, List[Tuple[int, int]]]:
    """(joined Python source, [(first row of a cell's code, cell number), ...])."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotANotebook(f"not a notebook: invalid JSON at line {exc.lineno}") from None
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        raise NotANotebook("not a notebook: no 'cells' list (nbformat 4)")
    parts: List[str] = []
    starts: List[Tuple[int, int]] = []
    row = 1
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            raise NotANotebook(f"not a notebook: cell {number} has no text source")
        lines = source.splitlines()
        if lines and lines[0].lstrip().startswith("%%"):
            lines = ["# " + line for line in lines]  # a cell magic: the whole cell is not Python
        else:
            lines = [_python_line(line) for line in lines]
        starts.append((row, number))
        parts.append("\n".join(lines) + "\n")
        row += len(lines) + (0 if lines else 1)
        if not lines:
            parts[-1] = "\n"
    return "".join(parts), starts


def cell_position(starts: List[Tuple[int, int]], row: int) -> Tuple[int, int]:
    """(cell number, row within that cell) for a row of the joined source."""
    at = bisect.bisect_right([s for s, _ in starts], row) - 1
    if at < 0:
        return 1, row
    first, number = starts[at]
    return number, row - first + 1
