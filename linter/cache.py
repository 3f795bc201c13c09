"""A per-project cache of per-file analysis results, keyed by file content.

What is cached depends only on a file's bytes, the tool (version and its own files) and the
rule selection, so
a hit is always valid; everything that depends on other files (reach, module-ness through
bases elsewhere) is recomputed from the cached summaries on every run by the project step.
The cache is one pickle per (version, selection), written atomically; a corrupt or
unreadable cache is ignored, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from typing import Dict, Optional, Tuple

from .. import __version__
from .config import Settings


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


_TOOL_KEY: Optional[str] = None


def tool_key() -> str:
    """The version plus a fingerprint of the analyser's own files (name, size, mtime).

    A release bumps the version, but a checkout or an editable install changes rules without
    it: a cache keyed by the version alone then serves results of the old rules (seen while
    measuring the corpus). Stat-ing the ~100 files costs about a millisecond."""
    global _TOOL_KEY
    if _TOOL_KEY is None:
        digest = hashlib.blake2b(digest_size=8)
        for folder in [os.path.dirname(os.path.abspath(__file__))]:
            for root, dirs, files in os.walk(folder):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for name in sorted(files):
                    if name.endswith(".py"):
                        st = os.stat(os.path.join(root, name))
                        digest.update(f"{os.path.relpath(os.path.join(root, name), folder)}:{st.st_size}:{st.st_mtime_ns};".encode())
        _TOOL_KEY = f"{__version__}-{digest.hexdigest()}"
    return _TOOL_KEY


class Cache:
    def __init__(self, path: str):
        self.path = path
        self.entries: Dict[str, Tuple[str, object]] = {}
        self.dirty = False
        self.used: set = set()

    @classmethod
    def open(cls, settings: Settings, codes) -> "Cache":
        directory = settings.cache_dir or os.path.join(settings.project_root, ".jitlint_cache")
        key = settings.analysis_key(codes)
        cache = cls(os.path.join(directory, tool_key(), f"{key}.pickle"))
        try:
            with open(cache.path, "rb") as fh:
                data = pickle.load(fh)
            if isinstance(data, dict):
                cache.entries = data
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
            cache.entries = {}
        return cache

    def lookup(self, path: str, max_size: int):
        entry = self.entries.get(os.path.abspath(path))
        if entry is None:
            return None
        try:
            if os.path.getsize(path) > max_size:
                return None
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            return None
        if content_hash(data) != entry[0]:
            return None
        self.used.add(os.path.abspath(path))
        return entry[1]

    def store(self, path: str, digest: str, result) -> None:
        key = os.path.abspath(path)
        self.entries[key] = (digest, result)
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        directory = os.path.dirname(self.path)
        try:
            os.makedirs(directory, exist_ok=True)
            root = os.path.dirname(directory)
            for name, text in (("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"), (".gitignore", "*\n")):
                marker = os.path.join(root, name)
                if not os.path.exists(marker):
                    with open(marker, "w") as fh:
                        fh.write(text)
            fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(self.entries, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
            self._drop_other_tool_versions(root, os.path.basename(directory))
        except OSError:
            pass  # a read-only checkout must still be lintable

    @staticmethod
    def _drop_other_tool_versions(root: str, current: str) -> None:
        """Results of another jitlint build can never be hit again: do not let them pile up."""
        import shutil

        for name in os.listdir(root):
            if name != current and name[:1].isdigit() and os.path.isdir(os.path.join(root, name)):
                shutil.rmtree(os.path.join(root, name), ignore_errors=True)
