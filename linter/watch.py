"""``jitlint check --watch``: re-run the check whenever a checked file or the config changes.

Polling, not OS notifications: it needs no dependency, behaves the same on every platform
and on network file systems, and the state compared is tiny (path, mtime, size) for the
files discovery finds, so files added or removed are noticed too. Each run is the ordinary
``run_check``; a run that fails on a config error is reported and the watch goes on, so a
half-typed pyproject.toml does not end the session.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Callable, Dict, Iterable, Tuple

Snapshot = Dict[str, Tuple[int, int]]

POLL_SECONDS = 0.5


def snapshot(paths: Iterable[str]) -> Snapshot:
    """(mtime_ns, size) of each path; a path that vanished is simply absent."""
    state: Snapshot = {}
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        state[path] = (st.st_mtime_ns, st.st_size)
    return state


def watched_paths(args) -> list:
    """The files a run would check, plus the config files that decide how it checks them."""
    from .cli import _settings_from_args
    from .discovery import discover

    settings = _settings_from_args(args)
    found = discover((args.paths or ["."]) + list(args.context or []), settings)
    extra = [settings.config_path] if settings.config_path else []
    for name in ("pyproject.toml", "jitlint.toml", ".jitlint.toml"):
        extra.append(os.path.join(settings.project_root or ".", name))
    return list(found.files) + extra


def _stamp(message: str) -> str:
    return f"[{time.strftime('%H:%M:%S')}] {message}\n"


def watch(args, run_once: Callable[[object], int], poll: float = POLL_SECONDS) -> int:
    """Run, then wait for a change and run again, until interrupted (exit 0 on Ctrl-C, as ruff)."""
    from .config import ConfigError

    def run() -> Snapshot:
        # The state is taken before the run, so a change made while it runs triggers another.
        state = current()
        if sys.stdout.isatty():
            sys.stdout.write("\x1b[2J\x1b[H")
        try:
            run_once(args)
        except ConfigError as exc:
            sys.stderr.write(f"jitlint: error: {exc}\n")
        sys.stdout.flush()
        return state

    def current() -> Snapshot:
        try:
            return snapshot(watched_paths(args))
        except ConfigError:
            return snapshot([])

    sys.stdout.write(_stamp("Starting linter in watch mode..."))
    state = run()
    try:
        while True:
            time.sleep(poll)
            now = current()
            if now != state:
                sys.stdout.write(_stamp("File change detected..."))
                state = run()
    except KeyboardInterrupt:
        return 0
