"""Reading a file the way Python would, and saying clearly why when that is impossible."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass
from typing import Optional

from .notebook import NOTEBOOK_SUFFIX, NotANotebook, notebook_source


@dataclass
class SourceText:
    path: str
    text: Optional[str]
    data: bytes
    # (code, message) when the file cannot be analysed: JIT002 undecodable, JIT004 skipped
    problem: Optional[tuple] = None
    # For a notebook: [(first row of a code cell in ``text``, cell number)] (analysis/notebook.py)
    cells: Optional[list] = None


def decode(path: str, data: bytes) -> SourceText:
    if b"\x00" in data:
        return SourceText(path, None, data, ("JIT002", "binary file (contains NUL bytes); not analysed"))
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "unknown encoding" in str(exc):
            return SourceText(path, None, data, ("JIT002", f"cannot determine the file's encoding: {exc}"))
        encoding = "utf-8"  # no usable declaration: Python reads the file as UTF-8
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        where = ""
        if isinstance(exc, UnicodeDecodeError):
            line = data[: exc.start].count(b"\n") + 1
            where = f" at line {line}"
        return SourceText(path, None, data, ("JIT002", f"file is not valid {encoding}{where}; not analysed"))
    if text.startswith("\ufeff"):
        text = text[1:]
    if path.endswith(NOTEBOOK_SUFFIX):
        try:
            code, cells = notebook_source(text)
        except NotANotebook as exc:
            return SourceText(path, None, data, ("JIT002", f"{exc}; not analysed"))
        return SourceText(path, code, data, cells=cells)
    return SourceText(path, text, data)


def read(path: str, max_size: int) -> SourceText:
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_size + 1)
    except OSError as exc:
        return SourceText(path, None, b"", ("JIT004", f"cannot read file: {exc.strerror or exc}"))
    if len(data) > max_size:
        return SourceText(path, None, data[:0], ("JIT004", f"file is larger than {max_size} bytes (max-file-size); skipped"))
    return decode(path, data)
