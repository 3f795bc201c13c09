"""Settings: ``[tool.jitlint]`` in pyproject.toml or a ``jitlint.toml``, plus CLI overrides.

Keys follow ruff's spelling (``select``, ``ignore``, ``extend-select``, ``per-file-ignores``,
``exclude``, ``extend-exclude``); jitlint adds ``modes`` (which compilers the project uses),
``script-roots``/``trace-roots`` (functions compiled elsewhere) and ``module-bases``
(third-party classes that are nn.Modules) and ``trace-dynamic`` (what varies between a trace's
example input and the deployment's calls). A wrong key or value is a usage error that names
the key, never a traceback.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache",
    ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox",
    ".venv", ".vscode", "__pypackages__", "_build", "buck-out", "dist", "node_modules",
    "site-packages", "venv", ".jitlint_cache",
)
OUTPUT_FORMATS = ("concise", "full", "grouped", "json", "json-lines", "junit", "gitlab", "pylint",
                  "rdjson", "azure", "sarif", "github")
MODES = ("script", "trace", "export")
# export is opt-in: `modes = ["export"]` or `--modes export`
DEFAULT_MODES = ("script", "trace")


class ConfigError(Exception):
    """A problem with the configuration or the command line; exit code 2."""


@dataclass
class Settings:
    select: Optional[List[str]] = None  # None = the default rule set
    extend_select: List[str] = field(default_factory=list)
    ignore: List[str] = field(default_factory=list)
    per_file_ignores: Dict[str, List[str]] = field(default_factory=dict)
    exclude: List[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: List[str] = field(default_factory=list)
    respect_gitignore: bool = True
    force_exclude: bool = False  # apply exclude/extend-exclude to files named on the command line too
    modes: List[str] = field(default_factory=lambda: list(DEFAULT_MODES))
    script_roots: List[str] = field(default_factory=list)
    trace_roots: List[str] = field(default_factory=list)
    module_bases: List[str] = field(default_factory=list)
    auto_roots: bool = True
    output_format: str = "concise"
    fix: bool = False           # apply safe fixes (``--fix``)
    unsafe_fixes: bool = False  # also offer and apply unsafe fixes (``--unsafe-fixes``)
    types: str = "local"
    max_file_size: int = 1_000_000
    cache_dir: Optional[str] = None
    config_path: Optional[str] = None
    project_root: str = "."
    # dependency reach (linter/dependencies.py): follow reached code into files not checked
    dependencies: bool = True
    python: Optional[str] = None  # the target interpreter whose import path is searched
    search_paths: List[str] = field(default_factory=list)
    extend_ignore_dependencies: List[str] = field(default_factory=list)
    show_dependency_findings_in_place: bool = False
    # what varies between the traced example and the deployment's calls (analysis/trace_dims.py
    # groups); None: anything may vary, every trace finding is reported
    trace_dynamic: Optional[List[str]] = None

    def analysis_key(self, codes: Sequence[str]) -> str:
        """What a cached per-file result depends on besides the file and tool version."""
        h = hashlib.sha256()
        h.update(",".join(sorted(codes)).encode())
        h.update(self.types.encode())
        return h.hexdigest()[:16]


_KEYS = {
    "select": "codes", "extend-select": "codes", "ignore": "codes", "per-file-ignores": "pfi",
    "exclude": "strings", "extend-exclude": "strings", "respect-gitignore": "bool",
    "force-exclude": "bool", "modes": "modes", "script-roots": "strings", "trace-roots": "strings",
    "module-bases": "strings", "auto-roots": "bool", "output-format": "format", "types": "types",
    "max-file-size": "int", "cache-dir": "string", "fix": "bool", "unsafe-fixes": "bool",
    "dependencies": "bool", "python": "string", "search-paths": "strings",
    "extend-ignore-dependencies": "strings", "show-dependency-findings-in-place": "bool",
    "trace-dynamic": "dims",
}


def _check(key: str, value, kind: str, source: str):
    where = f"{source}: `{key}`"
    if kind in ("codes", "strings", "modes"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of strings, got {value!r}")
        if kind == "modes":
            bad = [v for v in value if v not in MODES]
            if bad:
                raise ConfigError(f"{where}: unknown mode {bad[0]!r} (expected 'script', 'trace' and/or 'export')")
        return list(value)
    if kind == "dims":
        from .analysis.trace_dims import DECLARABLE, declared

        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of strings, got {value!r}")
        try:
            return list(declared(value))
        except ValueError as exc:
            raise ConfigError(f"{where}: unknown dimension {str(exc)!r} (expected some of "
                              f"{', '.join(DECLARABLE)}; 'spatial' means 'sequence')") from None
    if kind == "pfi":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(c, str) for c in v)
            for k, v in value.items()
        ):
            raise ConfigError(f"{where} must be a table of glob = [codes], got {value!r}")
        return {k: list(v) for k, v in value.items()}
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, got {value!r}")
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"{where} must be a positive integer, got {value!r}")
        return value
    if kind == "format":
        if value not in OUTPUT_FORMATS:
            raise ConfigError(f"{where}: unknown output format {value!r} (one of {', '.join(OUTPUT_FORMATS)})")
        return value
    if kind == "types":
        if value not in ("local", "mypy"):
            raise ConfigError(f"{where} must be 'local' or 'mypy', got {value!r}")
        return value
    if kind == "string":
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {value!r}")
        return value
    raise AssertionError(kind)


def trace_dynamic_value(values: List[str], source: str) -> List[str]:
    """``trace-dynamic`` / ``--trace-dynamic``: the canonical groups, or a ConfigError."""
    return _check("trace-dynamic", values, "dims", source)


def settings_from_table(table: dict, source: str, base: Settings) -> Settings:
    changes = {}
    for key, value in table.items():
        kind = _KEYS.get(key)
        if kind is None:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{source}: unknown key `{key}` (known keys: {known})")
        changes[key.replace("-", "_")] = _check(key, value, kind, source)
    return replace(base, **changes)


def find_config(start: Path) -> Optional[Tuple[Path, dict]]:
    """The nearest jitlint.toml, or pyproject.toml with a [tool.jitlint] table, upwards."""
    start = start.resolve()
    for directory in [start] + list(start.parents):
        for name in ("jitlint.toml", ".jitlint.toml"):
            candidate = directory / name
            if candidate.is_file():
                return candidate, _load_toml(candidate)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            data = _load_toml(pyproject)
            tool = data.get("tool", {}).get("jitlint")
            if tool is not None:
                if not isinstance(tool, dict):
                    raise ConfigError(f"{pyproject}: [tool.jitlint] must be a table")
                return pyproject, tool
    return None


def _load_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    if path.name in ("jitlint.toml", ".jitlint.toml"):
        return data.get("tool", {}).get("jitlint", data) if "tool" in data else data
    return data


def load_settings(config: Optional[str], start: Path) -> Settings:
    base = Settings()
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise ConfigError(f"--config: no such file: {config}")
        data = _load_toml(path)
        if path.name == "pyproject.toml":
            data = data.get("tool", {}).get("jitlint", {})
        settings = settings_from_table(data, str(path), base)
        return replace(settings, config_path=str(path), project_root=str(path.resolve().parent))
    found = find_config(start)
    if found is None:
        return replace(base, project_root=str(start.resolve()))
    path, table = found
    settings = settings_from_table(table, str(path), base)
    return replace(settings, config_path=str(path), project_root=str(path.parent))


def parse_inline_config(value: str) -> Optional[dict]:
    """``--config 'KEY = VALUE'``: the TOML table it spells, or None when it is not TOML.

    ``tool.jitlint.select = [...]`` is accepted too, as ruff accepts ``lint.select``."""
    try:
        table = tomllib.loads(value)
    except tomllib.TOMLDecodeError:
        return None
    if not table:
        return None
    tool = table.get("tool")
    if set(table) == {"tool"} and isinstance(tool, dict) and set(tool) == {"jitlint"} and isinstance(tool["jitlint"], dict):
        table = tool["jitlint"]
    return table


def apply_inline_config(settings: Settings, overrides: Sequence[str]) -> Settings:
    """Apply ``--config 'KEY = VALUE'`` overrides over [tool.jitlint], validated like the file."""
    for value in overrides:
        table = parse_inline_config(value)
        if table is None:
            raise ConfigError(f"--config: {value!r} is neither a file nor a TOML `key = value` override")
        settings = settings_from_table(table, f"--config {value!r}", settings)
    return settings


# -- rule selection -----------------------------------------------------------------------------

def _expand(selector: str, codes: Sequence[str], names: Dict[str, str], what: str,
            opt_in: frozenset = frozenset()) -> List[str]:
    """Codes a selector names. A family or prefix (``JIT3``, ``JIT31``) means the rules it
    ships enabled: opt-in rules are chosen by their own code or name, or by ``ALL`` (as ruff
    enables preview rules only when named), so ``--select JIT3`` is not noisier than the default."""
    sel = selector.strip()
    if sel.upper() == "ALL":
        return list(codes)
    up = sel.upper()
    matched = [c for c in codes if c.startswith(up) and (c == up or c not in opt_in)]
    if not matched and sel in names:
        matched = [names[sel]]
    if not matched and re.fullmatch(r"JIT[0-5]?", up):
        return []  # a family without rules (yet) is a valid, empty selection
    if not matched:
        raise ConfigError(f"{what}: unknown rule selector `{selector}`")
    return matched


def select_codes(settings: Settings, rules: Dict[str, type]) -> List[str]:
    codes = list(rules)
    names = {r.name: c for c, r in rules.items()}
    opt_in = frozenset(c for c, r in rules.items() if not r.default)
    if settings.select is None:
        chosen = {c for c, r in rules.items() if r.default}
    else:
        chosen = set()
        for s in settings.select:
            chosen.update(_expand(s, codes, names, "select", opt_in))
    for s in settings.extend_select:
        chosen.update(_expand(s, codes, names, "extend-select", opt_in))
    for s in settings.ignore:
        chosen.difference_update(_expand(s, codes, names, "ignore"))
    for pattern, sels in settings.per_file_ignores.items():
        for s in sels:
            _expand(s, codes, names, f"per-file-ignores[{pattern!r}]")
    # Tool-level findings (syntax errors, unreadable files) stay unless explicitly ignored.
    for c in codes:
        if c.startswith("JIT0") and not any(c.startswith(s.upper()) or s.upper() == "ALL" for s in settings.ignore):
            chosen.add(c)
    return sorted(chosen)


def per_file_ignored(settings: Settings, path: str, code: str) -> bool:
    if not settings.per_file_ignores:
        return False
    # Relative to the project root however the path was spelled (``./x``, ``../x``, absolute),
    # as ruff matches them; a path outside the root keeps its own spelling.
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(settings.project_root))
    if rel.startswith(".."):
        rel = os.path.normpath(path)
    rel = rel.replace(os.sep, "/")
    base = os.path.basename(path)
    for pattern, sels in settings.per_file_ignores.items():
        if fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(base, pattern) or rel.startswith(pattern.rstrip("/") + "/"):
            for s in sels:
                if s.upper() == "ALL" or code.startswith(s.upper()):
                    return True
    return False
