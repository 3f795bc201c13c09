"""The result of a verification, and its two renderings (text table, JSON).

Everything here is plain data (no torch objects) so a report can cross a process boundary
as JSON: ``jitlint verify`` runs the user's code in a worker process and renders the report
in the parent.  ``Report.from_dict(report.to_dict())`` round-trips.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional

PASS = "pass"
FAIL = "fail"
WARN = "warn"
SKIP = "skip"
NOT_RUN = "-"

#: The checks every (mode, device) pair goes through, in order.
CHECKS = ("compile", "run", "compare", "state", "save_load")
CHECK_TITLES = {
    "compile": "compile",
    "run": "run",
    "compare": "compare",
    "state": "state",
    "save_load": "save/load",
}
_MARKS = {PASS: "ok", FAIL: "FAIL", WARN: "warn", SKIP: "skip", NOT_RUN: "-"}


@dataclass
class Location:
    """A place in the user's source (or in torch, when the compiler points there)."""

    file: str
    line: int
    text: Optional[str] = None  # the source line, stripped
    in_torch: bool = False

    def short(self, base: Optional[str] = None) -> str:
        path = self.file
        if base:
            try:
                rel = os.path.relpath(path, base)
                if not rel.startswith(".."):
                    path = rel
            except ValueError:
                pass
        return f"{path}:{self.line}"


@dataclass
class Cause:
    """A likely reason for a failure, with the evidence it was inferred from."""

    code: Optional[str]
    rule: Optional[str]
    evidence: str  # e.g. "TracerWarning", "control flow", "compiled graph", "message"
    detail: str
    location: Optional[Location] = None

    @property
    def label(self) -> str:
        return f"{self.code} {self.rule}" if self.code else "(no matching rule)"


@dataclass
class Problem:
    """One failed (or suspicious) check of one (mode, device)."""

    check: str  # one of CHECKS
    severity: str  # FAIL or WARN
    summary: str  # one line
    code: Optional[str] = None
    rule: Optional[str] = None
    error_type: Optional[str] = None
    details: List[str] = field(default_factory=list)  # key message lines
    excerpt: List[str] = field(default_factory=list)  # source lines with the compiler's marker
    location: Optional[Location] = None
    input_index: Optional[int] = None
    output_path: Optional[str] = None
    max_abs_diff: Optional[float] = None
    causes: List[Cause] = field(default_factory=list)
    static: Optional[Dict[str, Any]] = None  # filled by crosscheck

    @property
    def label(self) -> str:
        return f"{self.code} {self.rule}" if self.code else ""


@dataclass
class ModeResult:
    mode: str  # "script" | "trace"
    device: str  # "cpu" | "cuda"
    checks: Dict[str, str] = field(default_factory=lambda: {c: NOT_RUN for c in CHECKS})
    problems: List[Problem] = field(default_factory=list)
    skipped_reason: Optional[str] = None
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.mode}/{self.device}"

    @property
    def failed(self) -> bool:
        return any(status == FAIL for status in self.checks.values())

    def set(self, check: str, status: str) -> None:
        """Record a check's status; a failure is never downgraded by a later pass."""
        order = {NOT_RUN: 0, SKIP: 1, PASS: 2, WARN: 3, FAIL: 4}
        if order[status] >= order.get(self.checks.get(check, NOT_RUN), 0):
            self.checks[check] = status

    def add(self, problem: Problem) -> Problem:
        self.problems.append(problem)
        self.set(problem.check, problem.severity)
        return problem


@dataclass
class Report:
    target: str
    kind: str  # "module" | "function"
    source_file: Optional[str]
    n_inputs: int
    torch_version: str
    python_version: str
    results: List[ModeResult] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    state_changes: List[str] = field(default_factory=list)  # what eager forward mutates
    isolation: Dict[str, Any] = field(default_factory=dict)  # evidence from the fresh process
    static: Dict[str, Any] = field(default_factory=dict)  # crosscheck availability
    seconds: float = 0.0

    # -- verdict -----------------------------------------------------------------
    @property
    def ok(self) -> bool:
        return not any(r.failed for r in self.results)

    @property
    def problems(self) -> List[Problem]:
        return [p for r in self.results for p in r.problems]

    @property
    def failures(self) -> List[Problem]:
        return [p for p in self.problems if p.severity == FAIL]

    def result(self, mode: str, device: str = "cpu") -> Optional[ModeResult]:
        for r in self.results:
            if r.mode == mode and r.device == device:
                return r
        return None

    # -- JSON --------------------------------------------------------------------
    def to_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Report":
        data = dict(data)
        data.pop("ok", None)
        results = [_mode_result_from_dict(r) for r in data.pop("results", [])]
        return cls(results=results, **data)

    # -- text --------------------------------------------------------------------
    def render_text(self) -> str:
        return render_text(self)

    def __str__(self) -> str:  # so ``assert report.ok, report`` prints the readable form
        return self.render_text()


def _location_from_dict(d):
    return Location(**d) if d else None


def _problem_from_dict(d: Dict[str, Any]) -> Problem:
    d = dict(d)
    d["location"] = _location_from_dict(d.get("location"))
    d["causes"] = [Cause(**{**c, "location": _location_from_dict(c.get("location"))}) for c in d.get("causes", [])]
    return Problem(**d)


def _mode_result_from_dict(d: Dict[str, Any]) -> ModeResult:
    d = dict(d)
    d["problems"] = [_problem_from_dict(p) for p in d.get("problems", [])]
    return ModeResult(**d)


# ---------------------------------------------------------------------------------
# text rendering
# ---------------------------------------------------------------------------------


def _fmt_diff(value: Optional[float]) -> str:
    if value is None:
        return ""
    if value == float("inf"):
        return "inf"
    return f"{value:.4g}"


def _table(report: Report) -> List[str]:
    header = ["mode", "device"] + [CHECK_TITLES[c] for c in CHECKS]
    rows = []
    for r in report.results:
        if r.skipped_reason:
            rows.append([r.mode, r.device] + [_MARKS[SKIP]] * len(CHECKS))
        else:
            rows.append([r.mode, r.device] + [_MARKS[r.checks.get(c, NOT_RUN)] for c in CHECKS])
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    lines = ["  " + "  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  " + "  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return lines


def _static_line(static: Optional[Dict[str, Any]]) -> Optional[str]:
    if not static:
        return None
    return "static check: " + static.get("summary", "")


def _problem_lines(problem: Problem, result: ModeResult, base: Optional[str]) -> List[str]:
    mark = "FAIL" if problem.severity == FAIL else "warn"
    head = f"{mark} {result.name} {CHECK_TITLES.get(problem.check, problem.check)}: {problem.summary}"
    if problem.code:
        head += f"  [{problem.code} {problem.rule}]"
    lines = [head]
    if problem.input_index is not None:
        where = f"input #{problem.input_index}"
        if problem.output_path:
            where += f", {problem.output_path}"
        if problem.max_abs_diff is not None:
            where += f", max abs diff {_fmt_diff(problem.max_abs_diff)}"
        lines.append(f"    at {where}")
    for detail in problem.details:
        lines.append(f"    {detail}")
    if problem.location is not None:
        loc = problem.location
        suffix = " (inside torch)" if loc.in_torch else ""
        lines.append(f"    --> {loc.short(base)}{suffix}")
        if problem.excerpt:
            lines.extend(f"    | {text}" for text in problem.excerpt)
        elif loc.text:
            lines.append(f"    | {loc.line:>4} | {loc.text}")
    elif problem.excerpt:
        lines.extend(f"    | {text}" for text in problem.excerpt)
    for cause in problem.causes:
        where = f" at {cause.location.short(base)}" if cause.location else ""
        if cause.code:
            lines.append(f"    likely cause: {cause.label}{where} ({cause.evidence}: {cause.detail})")
        else:
            lines.append(f"    likely cause ({cause.evidence}){where}: {cause.detail}")
        if cause.location is not None and cause.location.text:
            lines.append(f"    | {cause.location.line:>4} | {cause.location.text}")
    static = _static_line(problem.static)
    if static:
        lines.append(f"    {static}")
    return lines


def render_text(report: Report) -> str:
    base = os.getcwd()
    out = [
        f"jitlint verify {report.target} ({report.kind}, {report.n_inputs} input(s), "
        f"torch {report.torch_version}, python {report.python_version})"
    ]
    for note in report.notes:
        out.append(f"note: {note}")
    if report.state_changes:
        out.append("note: eager forward mutates module state: " + ", ".join(report.state_changes))
    out.append("")
    out.extend(_table(report))
    shown = set(report.notes)
    for r in report.results:
        if r.skipped_reason and r.skipped_reason not in shown:
            shown.add(r.skipped_reason)
            out.append("")
            out.append(f"skip {r.name}: {r.skipped_reason}")
    for r in report.results:
        for problem in r.problems:
            out.append("")
            out.extend(_problem_lines(problem, r, base))
    if report.static.get("note"):
        out.append("")
        out.append(f"note: {report.static['note']}")
    out.append("")
    n_fail = sum(1 for r in report.results for s in r.checks.values() if s == FAIL)
    n_warn = sum(1 for p in report.problems if p.severity == WARN)
    ran = [r for r in report.results if not r.skipped_reason]
    if report.ok and not ran:
        verdict = "nothing verified: every mode/device combination was skipped"
    elif report.ok:
        verdict = f"verified: {len(ran)} mode/device combination(s) agree with eager"
    else:
        verdict = f"NOT verified: {n_fail} check(s) failed"
    if n_warn:
        verdict += f", {n_warn} warning(s)"
    out.append(f"{verdict} ({report.seconds:.1f}s)")
    return "\n".join(out)
