"""``# noqa`` comments: the patterns the engine suppresses findings with, and the directives
with their positions, for judging which of them are unused (JIT005) and for ``--add-noqa``.

Directives are read from real comment tokens only (a ``"# noqa"`` inside a string is no
directive), and only where the line-based suppression table of ``file_checker.noqa_table``
sees the same directive, so that what is judged is exactly what suppresses.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

NOQA_RE = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z0-9_,\s]+?))?\s*(?:#|$)", re.IGNORECASE)
FILE_NOQA_RE = re.compile(r"#\s*jitlint:\s*noqa(?::\s*(?P<codes>[A-Za-z0-9_,\s]+?))?\s*(?:#|$)", re.IGNORECASE)
_CODE_RE = re.compile(r"[A-Za-z0-9_]+")


@dataclass(frozen=True)
class NoqaCode:
    text: str        # as written
    column: int      # 0-based, in the line


@dataclass(frozen=True)
class NoqaDirective:
    """One line's ``# noqa`` (columns 0-based, in characters)."""

    row: int
    column: int                  # the directive's ``#``
    end_column: int              # after ``noqa`` (bare) or after the last code
    codes: Tuple[NoqaCode, ...]  # empty: a bare ``# noqa``
    codes_column: int            # span of the code list (when there are codes)
    codes_end_column: int
    remove_from: int             # where removing the whole directive starts (whitespace before)
    remove_to: int               # and ends (the rest of the comment when only the directive is there)

    @property
    def bare(self) -> bool:
        return not self.codes


def file_suppresses(source: str, code: str) -> bool:
    """Does a file-level ``# jitlint: noqa`` suppress ``code`` in this source?"""
    if "noqa" not in source.lower():
        return False
    for text in source.splitlines():
        m = FILE_NOQA_RE.search(text) if "#" in text else None
        if m:
            if not m.group("codes"):
                return True
            codes = [c.strip().upper() for c in m.group("codes").split(",") if c.strip()]
            if any(code.startswith(c) for c in codes):
                return True
    return False


# String literals and comments, in source order: a comment is a ``#`` outside every string.
# Matching each string whole (triple-quoted first; escapes and line continuations inside) keeps
# a ``#`` in a string from being read as a comment, at C speed, where tokenize pays a Python
# loop per token (~0.25 s over the torch/nn+ao files that mention noqa).
_STRING_OR_COMMENT = re.compile(
    r"(?P<comment>#[^\n]*)"
    r"|[rRbBuUfF]{0,2}(?:'''(?:\\[\s\S]|[^\\])*?'''"
    r'|"""(?:\\[\s\S]|[^\\])*?"""'
    r"|'(?:\\[\s\S]|[^'\\\n])*'"
    r'|"(?:\\[\s\S]|[^"\\\n])*")'
)


def _comments(source: str) -> Optional[Dict[int, Tuple[int, str]]]:
    """Row -> (column, text) of the comments that mention noqa; None when the source does not
    tokenize. Rows follow tokenize's universal newlines. A quote the scan leaves unmatched (an
    unterminated string, a construct the scan does not know) is left to tokenize itself."""
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    out: Dict[int, Tuple[int, str]] = {}
    row, scanned, end = 1, 0, 0
    for match in _STRING_OR_COMMENT.finditer(text):
        start = match.start()
        gap = text[end:start]
        end = match.end()
        if "'" in gap or '"' in gap:
            return _tokenized_comments(source)
        if match.lastgroup != "comment" or "noqa" not in match.group("comment").lower():
            continue
        row += text.count("\n", scanned, start)
        scanned = start
        out[row] = (start - text.rfind("\n", 0, start) - 1, match.group("comment"))
    tail = text[end:]
    if "'" in tail or '"' in tail:
        return _tokenized_comments(source)
    return out


def _tokenized_comments(source: str) -> Optional[Dict[int, Tuple[int, str]]]:
    out: Dict[int, Tuple[int, str]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source, newline=None).readline):
            if tok.type == tokenize.COMMENT and "noqa" in tok.string.lower():
                out[tok.start[0]] = (tok.start[1], tok.string)
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return out


def directives(source: str) -> Tuple[NoqaDirective, ...]:
    """The line ``# noqa`` directives of a source, with positions."""
    if "noqa" not in source.lower():
        return ()
    comments = _comments(source)
    if not comments:
        return ()
    lines = source.splitlines()
    out: List[NoqaDirective] = []
    for row, (col, comment) in sorted(comments.items()):
        if row > len(lines):
            continue
        line = lines[row - 1]
        if line[col:col + len(comment)] != comment or FILE_NOQA_RE.search(line):
            continue
        m = NOQA_RE.search(comment)
        whole = NOQA_RE.search(line)
        if m is None or whole is None or whole.start() != col + m.start():
            continue  # not the directive the suppression table sees (e.g. one inside a string)
        start = col + m.start()
        if m.group("codes"):
            cs, ce = col + m.start("codes"), col + m.end("codes")
            codes = tuple(NoqaCode(c.group(0), cs + c.start()) for c in _CODE_RE.finditer(m.group("codes")))
            end = ce
        else:
            cs = ce = end = col + m.start() + len(re.match(r"#\s*noqa", m.group(0), re.IGNORECASE).group(0))
            codes = ()
        rest = line[end:col + len(comment)]
        if rest.strip():
            # another comment follows (``# noqa: X # why``): keep it, remove up to its ``#``
            remove_from, remove_to = start, end + (len(rest) - len(rest.lstrip()))
        else:
            remove_from, remove_to = start, len(line)
            while remove_from > 0 and line[remove_from - 1] in " \t":
                remove_from -= 1
        out.append(NoqaDirective(row, start, end, codes, cs, ce, remove_from, remove_to))
    return tuple(out)


def suppressing(code: str, listed: str) -> bool:
    """Does a listed noqa code (or prefix) suppress ``code``? (as ``file_checker._suppressed``)"""
    return code == listed or code.startswith(listed)


def used_rows(suppressed: Set[Tuple[int, str]]) -> Dict[int, Set[str]]:
    rows: Dict[int, Set[str]] = {}
    for row, code in suppressed:
        rows.setdefault(row, set()).add(code)
    return rows
