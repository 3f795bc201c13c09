"""Find the files to check: recursive, ``.py``/``.pyi``, honouring excludes and .gitignore.

Directories are walked with ``os.scandir``; virtual environments (any directory holding a
``pyvenv.cfg``), the default excludes, configured ``exclude``/``extend-exclude`` globs and
``.gitignore`` patterns prune the walk; symlinked directories are followed once (a loop is
reported, not followed forever). Explicitly named files are always checked, as in ruff.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from .config import Settings

SUFFIXES = (".py", ".pyi", ".ipynb")  # notebooks are checked cell by cell (analysis/notebook.py)


@dataclass
class Discovered:
    files: List[str] = field(default_factory=list)
    # (path, message) for paths that could not be walked (symlink loops, permissions)
    problems: List[Tuple[str, str]] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)


class GitIgnore:
    """The patterns of one .gitignore file, matched with git's rules (last match wins)."""

    def __init__(self, base: str, lines: Sequence[str]):
        self.base = base
        self.rules: List[Tuple[re.Pattern, bool, bool]] = []  # regex, negated, dir_only
        for raw in lines:
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            line = line.rstrip() if not line.endswith("\\ ") else line
            negated = line.startswith("!")
            if negated:
                line = line[1:]
            if line.startswith("\\"):
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            line = line.lstrip("/")
            self.rules.append((re.compile(_glob_to_regex(line, anchored)), negated, dir_only))

    def match(self, path: str, is_dir: bool) -> Optional[bool]:
        rel = os.path.relpath(path, self.base).replace(os.sep, "/")
        if rel.startswith(".."):
            return None
        result = None
        for regex, negated, dir_only in self.rules:
            if dir_only and not is_dir:
                continue
            if regex.match(rel):
                result = not negated
        return result


def _glob_to_regex(pattern: str, anchored: bool) -> str:
    i, out = 0, []
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:j].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    return f"^{prefix}{body}(?:/.*)?$"


def _read_gitignore(directory: str) -> Optional[GitIgnore]:
    path = os.path.join(directory, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return GitIgnore(directory, fh.readlines())
    except OSError:
        return None


def _excluded(path: str, name: str, patterns: Sequence[str], root: str) -> bool:
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    for pattern in patterns:
        p = pattern.rstrip("/")
        if "/" in p:
            if fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(rel, p + "/*") or rel.startswith(p + "/") or rel == p:
                return True
        elif fnmatch.fnmatchcase(name, p):
            return True
    return False


def _named_file_excluded(path: str, patterns: Sequence[str], root: str) -> bool:
    """``--force-exclude``: is a file named on the command line (as pre-commit passes staged
    files) excluded, by its own name or by a directory above it inside the project root?"""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if rel.startswith(".."):
        return _excluded(path, os.path.basename(path), patterns, os.path.dirname(os.path.abspath(path)))
    parts = rel.replace(os.sep, "/").split("/")
    for i in range(1, len(parts) + 1):
        if _excluded(os.path.join(root, *parts[:i]), parts[i - 1], patterns, root):
            return True
    return False


def discover(paths: Sequence[str], settings: Settings) -> Discovered:
    found = Discovered()
    patterns = list(settings.exclude) + list(settings.extend_exclude)
    root = settings.project_root
    seen_files = set()
    for raw in paths:
        if not os.path.lexists(raw):
            found.missing.append(raw)
            continue
        if settings.force_exclude and not os.path.isdir(raw) and _named_file_excluded(raw, patterns, root):
            continue
        if os.path.isfile(raw) or (os.path.exists(raw) and not os.path.isdir(raw)):
            real = os.path.realpath(raw)
            if real not in seen_files:
                seen_files.add(real)
                found.files.append(os.path.normpath(raw))
            continue
        if not os.path.exists(raw):
            # Named on the command line: the user asked for this file, so it is a finding
            # (JIT004 "cannot read file"), not a warning that exits 0.
            found.files.append(os.path.normpath(raw))
            continue
        ignores: List[GitIgnore] = []
        if settings.respect_gitignore:
            # .gitignore files of the directories above the starting point also apply
            start = os.path.abspath(raw)
            chain = []
            directory = start
            while True:
                parent = os.path.dirname(directory)
                if parent == directory:
                    break
                directory = parent
                gi = _read_gitignore(directory)
                if gi is not None:
                    chain.append(gi)
                if os.path.isdir(os.path.join(directory, ".git")):
                    break
            ignores = list(reversed(chain))
        _walk(os.path.normpath(raw), settings, patterns, root, ignores, found, seen_files, set())
    found.files.sort()
    return found


def _ignored(ignores: Sequence[GitIgnore], path: str, is_dir: bool) -> bool:
    result = False
    for gi in ignores:
        m = gi.match(os.path.abspath(path), is_dir)
        if m is not None:
            result = m
    return result


def _walk(directory: str, settings: Settings, patterns, root, ignores, found: Discovered, seen_files, active) -> None:
    try:
        real = os.path.realpath(directory)
    except OSError as exc:
        found.problems.append((directory, f"cannot resolve: {exc.strerror}"))
        return
    if real in active:
        found.problems.append((directory, "symbolic link loop, not followed"))
        return
    active = active | {real}
    if settings.respect_gitignore:
        gi = _read_gitignore(directory)
        if gi is not None:
            ignores = list(ignores) + [gi]
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        found.problems.append((directory, f"cannot read directory: {exc.strerror or exc}"))
        return
    for entry in entries:
        path = os.path.join(directory, entry.name)
        try:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
        except OSError:
            continue
        if is_dir:
            if entry.name in (".git",) or _excluded(path, entry.name, patterns, root):
                continue
            if os.path.exists(os.path.join(path, "pyvenv.cfg")):
                continue
            if settings.respect_gitignore and _ignored(ignores, path, True):
                continue
            _walk(path, settings, patterns, root, ignores, found, seen_files, active)
        elif entry.name.endswith(SUFFIXES):
            if _excluded(path, entry.name, patterns, root):
                continue
            if settings.respect_gitignore and _ignored(ignores, path, False):
                continue
            if not is_file and not os.path.exists(path):
                found.problems.append((path, "broken symbolic link"))
                continue
            real = os.path.realpath(path)
            if real in seen_files:
                continue
            seen_files.add(real)
            found.files.append(path)


def module_name_for(path: str) -> Tuple[str, str]:
    """(dotted module name, package) for a file, from the __init__.py files around it."""
    path = os.path.abspath(path)
    directory, filename = os.path.split(path)
    stem = filename.rsplit(".", 1)[0]
    parts: List[str] = [] if stem == "__init__" else [stem]
    while os.path.isfile(os.path.join(directory, "__init__.py")) or os.path.isfile(os.path.join(directory, "__init__.pyi")):
        parent, name = os.path.split(directory)
        if not name.isidentifier():
            break
        parts.insert(0, name)
        if parent == directory:
            break
        directory = parent
    module = ".".join(parts) if parts else stem
    if stem == "__init__":
        package = module
    else:
        package = module.rpartition(".")[0]
    return module, package
