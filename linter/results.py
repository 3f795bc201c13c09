"""Per-file results as plain data (no libcst), so cached results load without the parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

from .analysis.summary import FileSummary
from .finding import Finding


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
    # In-process only (never cached or pickled): a callable that positions the pending
    # findings accepted by a predicate check, so files whose findings are all out of reach
    # skip the position pass (see engine.analyze_files, defer=True).
    deferred: Optional[Callable] = field(default=None, compare=False, repr=False)
    # For JIT005 (unused noqa): the file's ``# noqa`` directives (analysis/noqa.py) and the
    # (row, code) of every finding a line's ``# noqa`` suppressed, whatever its requirements.
    noqa: Tuple = ()
    suppressed: frozenset = frozenset()

    def __getstate__(self):
        state = dict(self.__dict__)
        state["deferred"] = None
        return state
