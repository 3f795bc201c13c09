"""What a rule reports: a finding, optionally carrying a fix made of text edits.

Findings are plain picklable data so that worker processes and the cache can hand them
around without libcst objects. Positions are 1-based rows and 1-based columns (ruff's
convention); the flake8 door converts to the 0-based columns flake8 expects.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional, Tuple

# How safe a fix is, in ruff's vocabulary: ``safe`` fixes keep behaviour in eager Python
# and make the code compile; ``unsafe`` ones may change behaviour (the rule docs say how);
# ``display-only`` fixes are shown but never applied.
SAFE = "safe"
UNSAFE = "unsafe"
DISPLAY_ONLY = "display-only"


@dataclass(frozen=True)
class Edit:
    """Replace the text between two positions (1-based row and column) with ``content``."""

    content: str
    row: int
    column: int
    end_row: int
    end_column: int

    def to_json(self) -> dict:
        return {
            "content": self.content,
            "location": {"row": self.row, "column": self.column},
            "end_location": {"row": self.end_row, "column": self.end_column},
        }


@dataclass(frozen=True)
class Fix:
    """A set of edits applied together, with the safety level of the whole change.

    ``imports`` are names the edited code needs, as ``(module, name)`` (``name`` None for
    ``import module``); the fix loop adds the missing ones, merged with the file's imports.
    ``codemod`` names a multi-site rewrite of ``codemods/`` with plain arguments,
    ``(name, (arg, ...))``, for a change that text edits at known positions cannot describe
    (a block moved into a new function); it is applied alone, after the edits, if any.
    """

    message: str
    edits: Tuple[Edit, ...]
    applicability: str = SAFE
    imports: Tuple[Tuple[str, Optional[str]], ...] = ()
    codemod: Optional[Tuple[str, tuple]] = None

    def to_json(self) -> dict:
        out = {
            "applicability": self.applicability,
            "message": self.message,
            "edits": [e.to_json() for e in self.edits],
        }
        if self.imports:
            out["imports"] = [{"module": m, "name": n} for m, n in self.imports]
        return out


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    message: str
    path: str
    row: int
    column: int
    end_row: int
    end_column: int
    severity: str = "error"
    fix: Optional[Fix] = None
    # Row whose ``# noqa`` comment suppresses this finding (the finding's row unless the
    # node spans a multi-line string, as in ruff).
    noqa_row: Optional[int] = None
    # Filled in by the project step for findings that depend on other code (e.g. the
    # ``forward`` line that uses an attribute reported at its ``__init__`` assignment).
    related: Tuple[Tuple[str, int, str], ...] = field(default=())
    # For a notebook: the cell (numbered as Jupyter shows them); row/end_row are then rows
    # within that cell, as ruff reports them.
    cell: Optional[int] = None
    # Trace findings (JIT3xx): what would have to vary between the example input and a later
    # call to break the trace ("batch", "sequence", "dtype", ...; linter/analysis/trace_dims.py).
    varies: Tuple[str, ...] = ()

    def sort_key(self):
        return (self.path, self.cell or 0, self.row, self.column, self.code)

    def with_message(self, message: str) -> "Finding":
        return replace(self, message=message)
