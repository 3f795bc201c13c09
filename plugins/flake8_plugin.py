"""jitlint as a flake8 plugin (entry point ``flake8.extension``, prefix ``JIT``).

flake8 hands plugins one file at a time, so reach is decided within that file: nn.Module
methods and functions decorated with or passed to ``torch.jit.script``/``trace`` in the same
file are roots; helpers only called from other files are not seen as compiled (use the
``jitlint`` CLI for whole-project reach). Columns are returned 0-based, as flake8 expects
(it adds one). Configuration comes from the nearest ``[tool.jitlint]``; flake8's own
``--select``/``--extend-ignore``/``# noqa`` apply on top. Never imports torch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from .. import __version__

_SETTINGS_CACHE: dict = {}


def _settings_for(filename: str):
    from ..linter.config import ConfigError, Settings, load_settings

    directory = Path(filename).resolve().parent if filename not in ("stdin", "-", "") else Path.cwd()
    key = str(directory)
    if key not in _SETTINGS_CACHE:
        try:
            _SETTINGS_CACHE[key] = load_settings(None, directory)
        except ConfigError:
            _SETTINGS_CACHE[key] = Settings()
    return _SETTINGS_CACHE[key]


class JitlintChecker:
    name = "jitlint"
    version = __version__

    def __init__(self, tree=None, filename: str = "stdin", lines: Optional[List[str]] = None):
        self.filename = filename
        self.lines = lines

    def _source(self) -> str:
        if self.lines is not None:
            return "".join(self.lines)
        with open(self.filename, encoding="utf-8", errors="surrogateescape") as fh:
            return fh.read()

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        from ..linter.engine import check_source

        settings = _settings_for(self.filename)
        for f in check_source(self._source(), self.filename, settings):
            yield f.row, max(0, f.column - 1), f"{f.code} {f.message}", type(self)
