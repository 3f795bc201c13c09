"""``jitlint check --add-noqa``: silence every remaining finding with a ``# noqa: CODE`` comment.

Codes are merged into a line's existing ``# noqa: ...`` directive; lines whose end lies inside
a multi-line string or after a ``\\`` continuation are left alone (a comment cannot go there),
as are notebooks and jitlint's own JIT0xx findings (``# noqa`` does not silence those). Files
are rewritten atomically (a temporary file in the same folder, then ``os.replace``), keeping
their line endings and encoding.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import tokenize
from typing import Dict, Iterable, Set, Tuple

from .analysis.noqa import NOQA_RE, directives
from .analysis.notebook import NOTEBOOK_SUFFIX
from .finding import Finding

_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def add_noqa(findings: Iterable[Finding]) -> int:
    """Add the directives; returns how many lines got one (or new codes in one)."""
    wanted: Dict[str, Dict[int, Set[str]]] = {}
    for f in findings:
        if f.code.startswith("JIT0") or f.cell is not None or f.path.endswith(NOTEBOOK_SUFFIX):
            continue
        wanted.setdefault(f.path, {}).setdefault(f.noqa_row or f.row, set()).add(f.code)
    return sum(_add_to_file(path, rows) for path, rows in sorted(wanted.items()))


def _string_rows(text: str) -> Set[int]:
    """Rows whose end lies inside a (multi-line) string token."""
    rows: Set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if tok.type == tokenize.STRING or getattr(tokenize, "FSTRING_MIDDLE", None) == tok.type:
                rows.update(range(tok.start[0], tok.end[0]))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return set(range(1, text.count("\n") + 2))  # cannot tell: touch nothing
    return rows


def _add_to_file(path: str, rows: Dict[int, Set[str]]) -> int:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return 0
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode("utf-8-sig" if bom else encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return 0
    text, added = add_noqa_to_text(text, rows)
    if added:
        out = text.encode("utf-8" if bom else encoding)
        _write_atomically(path, (b"\xef\xbb\xbf" if bom else b"") + out)
    return added


def add_noqa_to_text(text: str, rows: Dict[int, Set[str]]) -> Tuple[str, int]:
    """``text`` with ``# noqa: CODE`` directives for ``rows`` (row -> codes), and how many lines
    got one (the editor's "Disable JITnnn for this line" uses it on an unsaved buffer)."""
    lines = _LINE_RE.findall(text)
    existing = {d.row: d for d in directives(text) if not d.bare}
    in_string = _string_rows(text)
    added = 0
    for row, codes in sorted(rows.items()):
        if row < 1 or row > len(lines) or row in in_string:
            continue
        line = lines[row - 1]
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        d = existing.get(row)
        if d is not None:
            present = {c.text.upper() for c in d.codes}
            new = sorted(c for c in codes if c not in present)
            if not new:
                continue
            listed = ", ".join([c.text for c in d.codes] + new)
            body = body[:d.codes_column] + listed + body[d.codes_end_column:]
        else:
            if body.rstrip().endswith("\\") or NOQA_RE.search(body):
                continue
            body = body.rstrip() + "  # noqa: " + ", ".join(sorted(codes))
        lines[row - 1] = body + ending
        added += 1
    return "".join(lines), added


def _write_atomically(path: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".jitlint-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except OSError:
            pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
