"""Does the static check see what the runtime check found?

For every runtime problem that has a rule code or a source line, run ``jitlint check`` on the
model's source file(s) and record whether the linter flagged that line, and with which
code.  This keeps one vocabulary between ``check`` and ``verify`` and shows users which
runtime failures the linter would have caught before running anything.

The linter's programmatic API (``jitlint.linter.api.check_paths``) is developed separately;
this module only assumes it takes a list of paths and returns findings with ``.code``,
``.row`` and ``.path`` (optionally ``.related`` rows such as the ``forward`` line that uses
an attribute).  When it is missing or raises, the report says so and nothing else changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from .report import Problem, Report


@dataclass
class StaticFindings:
    available: bool
    note: Optional[str] = None
    # (abs path, row) -> codes flagged there; code -> rows
    by_line: Dict[Tuple[str, int], Set[str]] = field(default_factory=dict)
    by_code: Dict[str, List[Tuple[str, int]]] = field(default_factory=dict)


def run_static_check(paths: Sequence[str], roots: Sequence[Tuple[str, str]] = (),
                     export: bool = False) -> StaticFindings:
    """Lint ``paths`` as one project; ``roots`` are (qualname pattern, "script"|"trace") pairs
    naming what verify compiled, so a plain function counts as compiled code there too.
    ``export``: also lint in export mode (JIT6xx), for the ``export`` row of ``verify --export``."""
    try:
        from dataclasses import replace
        from pathlib import Path

        from ..linter.api import check_paths, load_settings  # type: ignore[import-not-found]
    except Exception as exc:  # noqa: BLE001 - ImportError or a half-written linter module
        return StaticFindings(
            False, f"static cross-check unavailable (jitlint.linter.api: {type(exc).__name__}: {exc})")
    try:
        settings = load_settings(None, Path(paths[0]).resolve().parent)
        settings = replace(
            settings,
            select=["ALL"],
            script_roots=list(settings.script_roots) + [n for n, m in roots if m == "script"],
            trace_roots=list(settings.trace_roots) + [n for n, m in roots if m == "trace"],
        )
        if export and "export" not in settings.modes:
            settings = replace(settings, modes=list(settings.modes) + ["export"])
        returned = check_paths(list(paths), settings)
        findings = list(getattr(returned, "findings", returned) or [])
    except Exception as exc:  # noqa: BLE001 - the linter failing must not fail verify
        return StaticFindings(False, f"static cross-check failed ({type(exc).__name__}: {exc})")
    result = StaticFindings(True)
    for finding in findings:
        code = getattr(finding, "code", None)
        path = getattr(finding, "path", None)
        row = getattr(finding, "row", None)
        if not code or path is None or row is None:
            continue
        rows = [(os.path.abspath(str(path)), int(row))]
        for related in getattr(finding, "related", ()) or ():
            try:
                rows.append((os.path.abspath(str(related[0])), int(related[1])))
            except (TypeError, ValueError, IndexError):
                continue
        for key in rows:
            result.by_line.setdefault(key, set()).add(code)
            result.by_code.setdefault(code, []).append(key)
    return result


def _lines_of(problem: Problem) -> List[Tuple[str, int]]:
    out = []
    if problem.location is not None and not problem.location.in_torch:
        out.append((os.path.abspath(problem.location.file), problem.location.line))
    for cause in problem.causes:
        if cause.location is not None and not cause.location.in_torch:
            out.append((os.path.abspath(cause.location.file), cause.location.line))
    return out


def _codes_of(problem: Problem) -> List[str]:
    codes = [problem.code] if problem.code else []
    codes += [c.code for c in problem.causes if c.code and c.code not in codes]
    return codes


def judge(problem: Problem, static: StaticFindings) -> Dict[str, Any]:
    """The cross-check verdict for one problem, as plain data for the report."""
    lines = _lines_of(problem)
    codes = _codes_of(problem)
    flagged_here = {code for key in lines for code in static.by_line.get(key, set())}
    same = sorted(set(codes) & flagged_here)
    verdict: Dict[str, Any] = {
        "lines": [f"{os.path.basename(p)}:{r}" for p, r in lines],
        "codes_at_lines": sorted(flagged_here),
        "flagged_line": bool(flagged_here),
        "flagged_code": bool(same) or any(code in static.by_code for code in codes),
    }
    if same:
        how = "jitlint check --modes export" if all(c.startswith("JIT6") for c in same) else "jitlint check"
        verdict["summary"] = f"flagged {', '.join(same)} at this line ({how} would have caught it)"
    elif flagged_here:
        verdict["summary"] = f"this line is flagged with {', '.join(sorted(flagged_here))}"
    elif any(code in static.by_code for code in codes):
        code = next(code for code in codes if code in static.by_code)
        rows = ", ".join(str(r) for _, r in static.by_code[code][:5])
        verdict["summary"] = f"{code} is reported elsewhere in the file (line {rows}), not at this line"
    elif not lines and not codes:
        verdict["summary"] = "nothing to compare (no line, no rule code)"
    else:
        verdict["summary"] = "not flagged by jitlint check"
    return verdict


def annotate(report: Report, source_files: Iterable[str], roots: Sequence[Tuple[str, str]] = ()) -> Dict[str, Any]:
    """Fill ``problem.static`` for every problem worth comparing; returns what the report
    should say about the cross-check itself."""
    problems = [p for p in report.failures if p.code or _lines_of(p)]
    files = [f for f in source_files if f and os.path.exists(f)]
    if not problems or not files:
        return {"available": None}
    static = run_static_check(files, roots, export=any(r.mode == "export" for r in report.results))
    if not static.available:
        return {"available": False, "note": static.note}
    for problem in problems:
        problem.static = judge(problem, static)
    return {"available": True, "files": files}
