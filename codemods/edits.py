"""Applying a set of fixes' text edits to a source text, as ruff does.

Edits address the text by (row, column), 1-based, columns in characters, rows split the way
libcst splits them (``\\r\\n``, ``\\r`` or ``\\n``), so they are turned into offsets once. Fixes
are taken in source order; a fix whose edits overlap an accepted one waits for the next pass
(the file is analysed again in between, so its positions are recomputed, never shifted by
hand). Inserted text follows the file's line endings.
"""

from __future__ import annotations

import re
from typing import List, Sequence, Tuple

from ..linter.api import Edit, Fix

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def line_starts(text: str) -> List[int]:
    """Offset of the first character of each row (index 0 = row 1), plus one past the end."""
    starts = []
    for match in _LINE.finditer(text):
        if match.start() == len(text) and starts:
            break
        starts.append(match.start())
    starts.append(len(text))
    return starts


def newline_of(text: str) -> str:
    """The file's line ending: the first one it uses (``\\n`` for a file without any)."""
    match = re.search(r"\r\n|\r|\n", text)
    return match.group(0) if match else "\n"


def _offset(starts: Sequence[int], row: int, column: int, size: int) -> int:
    if row - 1 >= len(starts) - 1:
        return size
    return min(starts[row - 1] + column - 1, size)


def _spans(fix: Fix, starts: Sequence[int], size: int) -> List[Tuple[int, int, str]]:
    return sorted((_offset(starts, e.row, e.column, size), _offset(starts, e.end_row, e.end_column, size), e.content)
                  for e in fix.edits)


def apply_fixes(text: str, fixes: Sequence[Fix]) -> Tuple[str, List[int]]:
    """The text with every fix that does not overlap an earlier one applied, and the indexes
    of the fixes applied. Two fixes with identical edits count once (the second is applied as
    a no-op), as ruff does for a fix reported by two findings."""
    starts = line_starts(text)
    newline = newline_of(text)
    taken: List[Tuple[int, int]] = []
    accepted: List[Tuple[int, int, str]] = []
    seen = {}
    applied: List[int] = []
    order = sorted(range(len(fixes)), key=lambda i: _spans(fixes[i], starts, len(text))[:1] or [(0, 0, "")])
    for i in order:
        spans = _spans(fixes[i], starts, len(text))
        key = tuple(spans)
        if key in seen:
            applied.append(i)
            continue
        if any(_overlaps(a, b, s, e) for s, e, _ in spans for a, b in taken) or _self_overlap(spans):
            continue
        seen[key] = i
        taken.extend((s, e) for s, e, _ in spans)
        accepted.extend(spans)
        applied.append(i)
    out, last = [], 0
    for start, end, content in sorted(accepted, key=lambda span: (span[0], span[1])):
        out.append(text[last:start])
        out.append(content.replace("\n", newline) if newline != "\n" else content)
        last = max(last, end)
    out.append(text[last:])
    return "".join(out), sorted(applied)


def _overlaps(a: int, b: int, s: int, e: int) -> bool:
    """Ranges [a, b) and [s, e) touch in a way that makes the order of their edits matter:
    they overlap, or both insert at the same point."""
    if a == b == s == e:
        return True
    return s < b and a < e


def _self_overlap(spans) -> bool:
    return any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1))


__all__ = ["Edit", "apply_fixes", "line_starts", "newline_of"]
