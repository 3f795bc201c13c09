"""Per-file results as plain data (no libcst), so cached results load without the parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Tuple

from jitlint.linter.finding import Finding
from jitlint.linter.summary import FileSummary


@dataclass
class Conditional:
    """A finding and the project-level predicates that must all hold for it to be reported."""

    finding: Finding
    requires: Tuple[tuple, ...] = ()


@dataclass
class FileResult:
    path: str
    summary: FileSummary
    conditionals: List[Conditional] = field(default_factory=list)
    parsed: bool = True
