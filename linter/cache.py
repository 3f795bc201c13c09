"""A per-project cache of per-file analysis results, keyed by file content.

What is cached depends only on a file's bytes, the tool version and the rule selection, so
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

from jitlint import __version__
from jitlint.linter.config import Settings


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


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
        cache = cls(os.path.join(directory, __version__, f"{key}.pickle"))
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
        except OSError:
            pass  # a read-only checkout must still be lintable
