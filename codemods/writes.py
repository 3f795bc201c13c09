"""Reading a file for rewriting and writing it back atomically, byte for byte what it was
except for the fix: same encoding, same BOM, same line endings (kept by the edits), same mode.

A write goes to a temporary file in the same directory, is flushed and synced, then
``os.replace``d over the original, so a crash or a full disk leaves either the old file or
the new one, never half of each. The new text is re-parsed by the fix loop before it gets here.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceFile:
    path: str
    text: str        # decoded, without the BOM
    encoding: str    # as Python reads the file (PEP 263 cookie, else UTF-8)
    bom: bool

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding, "surrogateescape" if self.encoding.startswith("utf") else "strict")
        return (codecs.BOM_UTF8 if self.bom else b"") + data


class Unreadable(Exception):
    """The file cannot be read or decoded for rewriting (it is left alone)."""


def read_source(path: str) -> SourceFile:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise Unreadable(f"cannot read file: {exc.strerror or exc}") from None
    return source_from_bytes(path, data)


def source_from_bytes(path: str, data: bytes) -> SourceFile:
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        raise Unreadable(f"cannot decode file: {exc}") from None
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    if text.startswith("\ufeff"):
        text = text[1:]
    return SourceFile(path, text, encoding, bom)


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path``'s content with ``data``, keeping its permission bits."""
    path = os.path.realpath(path)  # through a symlink: the link stays, its target changes
    directory = os.path.dirname(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".jitlint-tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
