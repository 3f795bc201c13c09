"""``jitlint fix --verify``: keep only the fixes the runtime proves.

The static fixes (``codemods/fix_loop.py``, the same loop as ``jitlint check --fix``) are
applied to a scratch copy of the project, never to the user's tree, and every target
(``FILE.py::NAME``, as ``jitlint verify`` takes them) is verified there twice: before any fix
(the baseline) and after. A fix is kept when, after it, no check that passed in the baseline
fails (script/trace x cpu/cuda x compile/run/compare/state/save-load), the target can still be
built, and eager Python returns the same outputs on the target's inputs. When a set of fixes
makes a target worse, the culprits are found by bisection over the fixes of the files that
target imports (in the order the loop applied them), dropped, and the rest applied and
verified again, until the verified set is the applied set.

Each fix is reported as

* ``verified``: its file is imported by at least one target, and the final state (with it)
  passes every check the baseline passed, with eager unchanged;
* ``dropped``: bisection blamed it for a target getting worse (the failing check is named);
  every dropped fix is a bug in a rule's fix;
* ``not covered``: no target imports its file, so nothing proved it; it is applied like
  ``jitlint check --fix`` would (``covered_only=True`` / ``--covered-only`` leaves it out).

Coverage is decided by file: a fix counts as covered when its file is among the modules the
target's process imported (from the scratch copy). A target that reaches the user's own tree
instead of the copy (an installed editable package) cannot prove fixes there; the report says
so and those files count as not covered.

Nothing in the user's tree changes until the end; then each changed file is written
atomically (``codemods/writes.write_atomic``), and only if it still holds what was read at the
start. Exit codes as ``jitlint check``: 0 nothing left to report, 1 findings remain (or, with
``--diff``, something would change), 2 usage error or a target that cannot be verified.
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import os
import shutil
import sys
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ..codemods.fix_loop import MAX_PASSES, _blocked_key, _Loop
from ..codemods.observed_annotations import Observation, annotation_findings
from ..codemods.writes import Unreadable, read_source, write_atomic
from ..linter.api import Finding, ProjectState, Settings, load_settings
from .cli import Outcome, Progress, Target, _UsageError, parse_target, run_target

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MODES = ("script", "trace")
DEVICES = ("cpu", "cuda")
FIX_WORKER = "jitlint.runtime.fix_worker"
OBSERVE_WORKER = "jitlint.runtime.observed_types"

VERIFIED = "verified"
DROPPED = "dropped"
NOT_COVERED = "not covered"

FixKey = Tuple[str, str, str]  # (path, rule code, fix message): the loop's own identity of a fix

_COPY_SKIP = {".git", ".hg", ".svn", "__pycache__", ".jitlint_cache", ".mypy_cache", ".pytest_cache",
              ".ruff_cache", ".tox", ".nox", "node_modules", ".venv", "venv", ".eggs", "site-packages"}


class FixVerifyError(ValueError):
    """Bad arguments, or a target that cannot be verified even before any fix."""


# ---------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------


@dataclass
class FixRecord:
    """One fix, as the loop applied it (first application), and what verification said."""

    path: str
    code: str
    message: str  # the fix's own message
    row: int
    column: int
    applicability: str
    status: str = NOT_COVERED  # verified | dropped | not covered
    reason: Optional[str] = None  # for dropped: the target and the check that failed
    count: int = 1  # applications with this identity (same rule, same fix message, same file)

    def to_dict(self) -> Dict[str, Any]:
        return {"path": self.path, "code": self.code, "message": self.message, "row": self.row,
                "column": self.column, "applicability": self.applicability, "status": self.status,
                "reason": self.reason, "count": self.count}


@dataclass
class TargetResult:
    spec: str
    baseline: Optional[Dict[str, Any]] = None  # Report.to_dict() before any fix
    after: Optional[Dict[str, Any]] = None     # ... with the kept fixes
    files: List[str] = field(default_factory=list)  # user paths of the project files it imports
    outside: List[str] = field(default_factory=list)  # project files it imported from the user's tree
    eager_changed: Optional[str] = None  # None: unchanged (when eager_compared)
    eager_compared: bool = False
    regressions: List[str] = field(default_factory=list)  # in the final state (empty when all kept are verified)
    improvements: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        return {"target": self.spec, "files": self.files, "outside": self.outside,
                "eager_compared": self.eager_compared, "eager_changed": self.eager_changed,
                "regressions": self.regressions, "improvements": self.improvements, "notes": self.notes,
                "baseline": self.baseline, "after": self.after}

    @property
    def verifies(self) -> bool:
        """Every check passes after the kept fixes."""
        return bool(self.after and self.after.get("ok"))


@dataclass
class FileResult:
    path: str
    source: Any  # codemods.writes.SourceFile as read at the start
    original: bytes
    text: str  # the final text (kept fixes only)

    @property
    def changed(self) -> bool:
        return self.text != self.source.text

    def data(self) -> bytes:
        return self.source.encode(self.text)

    def diff(self) -> str:
        old = self.source.text.splitlines(keepends=True)
        new = self.text.splitlines(keepends=True)
        lines = list(difflib.unified_diff(old, new, fromfile=self.path, tofile=self.path))
        return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
                       for line in lines)


@dataclass
class FixVerifyReport:
    """What :func:`fix_and_verify` did: the fixes with their verdicts, the targets before and
    after, the final file texts (not written unless ``write=True`` or :meth:`write`)."""

    fixes: List[FixRecord]
    targets: List[TargetResult]
    files: Dict[str, FileResult]
    findings: List[Finding]  # what remains after the kept fixes
    rolled_back: List[Tuple[str, str, str]] = field(default_factory=list)
    not_converged: List[Tuple[str, Tuple[str, ...]]] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    verifications: int = 0  # worker runs, baseline included
    seconds: float = 0.0
    written: List[str] = field(default_factory=list)
    not_written: List[Tuple[str, str]] = field(default_factory=list)  # (path, why)

    # -- verdicts ----------------------------------------------------------------
    def by_status(self, status: str) -> List[FixRecord]:
        return [f for f in self.fixes if f.status == status]

    @property
    def verified(self) -> List[FixRecord]:
        return self.by_status(VERIFIED)

    @property
    def dropped(self) -> List[FixRecord]:
        return self.by_status(DROPPED)

    @property
    def not_covered(self) -> List[FixRecord]:
        return self.by_status(NOT_COVERED)

    @property
    def ok(self) -> bool:
        """No fix was dropped by verification and no target got worse."""
        return not self.dropped and not any(t.regressions for t in self.targets)

    @property
    def changed(self) -> List[FileResult]:
        return [f for f in sorted(self.files.values(), key=lambda f: f.path) if f.changed]

    @property
    def fixed(self) -> int:
        return sum(f.count for f in self.fixes if f.status != DROPPED)

    def diff(self) -> str:
        return "".join(f.diff() for f in self.changed)

    def write(self) -> List[str]:
        """Write each changed file atomically, if it still holds what was read at the start;
        returns the paths written (the others are in ``not_written``)."""
        for fr in self.changed:
            if fr.path in self.written:
                continue
            try:
                with open(fr.path, "rb") as fh:
                    now = fh.read()
            except OSError as exc:
                self.not_written.append((fr.path, f"cannot read it again: {exc.strerror or exc}"))
                continue
            if now != fr.original:
                self.not_written.append((fr.path, "it changed while the fixes were verified; not overwritten"))
                continue
            try:
                write_atomic(fr.path, fr.data())
            except OSError as exc:
                self.not_written.append((fr.path, f"cannot write the fixed file: {exc.strerror or exc}"))
                continue
            self.written.append(fr.path)
        return list(self.written)

    def to_dict(self) -> Dict[str, Any]:
        return {"tool": "jitlint fix --verify", "ok": self.ok, "fixes": [f.to_dict() for f in self.fixes],
                "targets": [t.to_dict() for t in self.targets],
                "changed_files": [f.path for f in self.changed],
                "remaining": [{"path": f.path, "row": f.row, "column": f.column, "code": f.code,
                               "message": f.message} for f in self.findings],
                "notes": self.notes, "verifications": self.verifications, "seconds": round(self.seconds, 3),
                "written": self.written, "not_written": [list(x) for x in self.not_written]}

    def render_text(self, base: Optional[str] = None) -> str:
        return _render(self, base)

    def __str__(self) -> str:
        return self.render_text()


# ---------------------------------------------------------------------------------------
# comparing two verifications of one target
# ---------------------------------------------------------------------------------------

_GOOD = ("pass", "warn")


def _results(report: Optional[Dict[str, Any]]) -> Dict[Tuple[str, str], Dict[str, Any]]:
    return {(r["mode"], r["device"]): r for r in (report or {}).get("results", [])}


def _problem_summary(result: Dict[str, Any], check: str) -> str:
    for p in result.get("problems", []):
        if p.get("check") == check and p.get("severity") == "fail":
            code = f"  [{p['code']} {p.get('rule') or ''}]".rstrip() if p.get("code") else ""
            return (p.get("summary") or "")[:240] + code
    return ""


def regressions(before: Outcome, after: Outcome) -> List[str]:
    """The checks that passed in ``before`` and fail in ``after``, one line each."""
    if after.status != "ok":
        return [f"the target no longer verifies: {after.status}: {after.message}"[:400]]
    out = []
    then, now = _results(before.report), _results(after.report)
    for key, r0 in then.items():
        r1 = now.get(key)
        if r1 is None:
            continue
        for check, status in r0.get("checks", {}).items():
            if status in _GOOD and r1.get("checks", {}).get(check) == "fail":
                why = _problem_summary(r1, check)
                out.append(f"{key[0]}/{key[1]} {check.replace('_', '/')} passed before, fails now"
                           + (f": {why}" if why else ""))
    eager = (after.extra or {}).get("eager") or {}
    if eager.get("changed"):
        out.append(f"eager results changed: {eager['changed']}")
    return out


def improvements(before: Outcome, after: Outcome) -> List[str]:
    if after.status != "ok":
        return []
    out = []
    then, now = _results(before.report), _results(after.report)
    for key, r0 in then.items():
        r1 = now.get(key) or {}
        fixed = [c.replace("_", "/") for c, s in r0.get("checks", {}).items()
                 if s == "fail" and r1.get("checks", {}).get(c) in _GOOD]
        if fixed:
            out.append(f"{key[0]}/{key[1]} {', '.join(fixed)} failed before, pass now")
    return out


def status_line(report: Optional[Dict[str, Any]]) -> str:
    """``script/cpu ok, trace/cpu FAIL (state)``, CUDA skips left out."""
    parts = []
    for r in (report or {}).get("results", []):
        if r.get("skipped_reason"):
            continue
        failed = [c.replace("_", "/") for c, s in r.get("checks", {}).items() if s == "fail"]
        parts.append(f"{r['mode']}/{r['device']} " + (f"FAIL ({', '.join(failed)})" if failed else "ok"))
    return ", ".join(parts) or "nothing run"


# ---------------------------------------------------------------------------------------
# the project: files, the scratch copy
# ---------------------------------------------------------------------------------------


def _excluded(name: str, rel: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns)


def discover_files(paths: Sequence[str], settings: Settings) -> Tuple[List[str], List[str]]:
    """(python files, missing paths): files named are taken as they are, directories walked
    for ``.py`` files, skipping hidden directories, virtual environments and the configured
    excludes (notebooks are not fixed)."""
    patterns = list(settings.exclude) + list(settings.extend_exclude)
    files: List[str] = []
    missing: List[str] = []
    for path in paths:
        if os.path.isfile(path):
            files.append(path)
            continue
        if not os.path.isdir(path):
            missing.append(path)
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            rel_dir = os.path.relpath(dirpath, path)
            keep = []
            for d in sorted(dirnames):
                rel = os.path.normpath(os.path.join(rel_dir, d))
                if d.startswith(".") or d == "__pycache__" or _excluded(d, rel, patterns) or \
                        os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg")):
                    continue
                keep.append(d)
            dirnames[:] = keep
            for name in sorted(filenames):
                rel = os.path.normpath(os.path.join(rel_dir, name))
                if name.endswith((".py", ".pyi")) and not _excluded(name, rel, patterns):
                    files.append(os.path.join(dirpath, name))
    seen: Set[str] = set()
    out = []
    for f in files:
        real = os.path.realpath(f)
        if real not in seen:
            seen.add(real)
            out.append(os.path.normpath(f))
    return out, missing


def project_root(paths: Sequence[str], targets: Sequence[Target]) -> str:
    places = [os.path.realpath(p) for p in paths] + [os.path.realpath(t.file) for t in targets]
    places = [p if os.path.isdir(p) else os.path.dirname(p) for p in places]
    return os.path.commonpath(places)


def _copy_ignore(directory: str, names: List[str]) -> List[str]:
    return [n for n in names if n in _COPY_SKIP or n.endswith(".pyc")
            or os.path.exists(os.path.join(directory, n, "pyvenv.cfg"))]


class _Scratch:
    """A copy of the project root in a temporary directory, with the current candidate texts."""

    def __init__(self, root: str, originals: Dict[str, bytes]):
        self.root = root
        self.base = tempfile.mkdtemp(prefix="jitlint_fix_verify_")
        self.copy = os.path.join(self.base, os.path.basename(root) or "project")
        shutil.copytree(root, self.copy, symlinks=True, ignore=_copy_ignore)
        self.originals = originals  # user path -> bytes read at the start
        self.current: Dict[str, bytes] = {}
        self.apply({})  # the copy holds exactly what was read (not what is on disk now)

    def to_scratch(self, path: str) -> str:
        real = os.path.realpath(path)
        rel = os.path.relpath(real, self.root)
        return os.path.join(self.copy, rel) if not rel.startswith("..") else real

    def to_user(self, scratch_path: str) -> Optional[str]:
        rel = os.path.relpath(os.path.realpath(scratch_path), os.path.realpath(self.copy))
        return None if rel.startswith("..") else os.path.join(self.root, rel)

    def apply(self, texts: Dict[str, bytes]) -> None:
        """Every project file holds ``texts[path]`` if given, else its original bytes."""
        for path, original in self.originals.items():
            data = texts.get(path, original)
            if self.current.get(path) == data:
                continue
            target = self.to_scratch(path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(data)
            self.current[path] = data

    def cleanup(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


# ---------------------------------------------------------------------------------------
# the fix loop, with some fixes held back
# ---------------------------------------------------------------------------------------


def fix_key(finding: Finding) -> FixKey:
    return os.path.realpath(finding.path), finding.code, finding.fix.message if finding.fix else ""


class _HoldingLoop(_Loop):
    """The fix loop of ``jitlint check --fix``, never applying the fixes in ``held``, and
    recording which fixes each pass applied, in order."""

    def __init__(self, state, fixable, unsafe, held: Set[FixKey],
                 observed: Optional[Dict[str, List[Observation]]] = None):
        super().__init__(state, fixable, unsafe, None)
        self.held = held
        self.observed = observed or {}
        self.applied: "OrderedDict[FixKey, Tuple[Finding, int]]" = OrderedDict()
        self._chosen: List[Finding] = []

    def candidates(self, findings):
        out = {}
        for path, fs in super().candidates(findings).items():
            keep = [f for f in fs if fix_key(f) not in self.held]
            if keep:
                out[path] = keep
        # annotations from observed types (--annotate-from): asked for by name, so applied
        # whatever the unsafe setting; found again on the current text of each pass
        for path, observations in self.observed.items():
            if path not in self.fixable:
                continue
            fx = self.file(path)
            if fx is None:
                continue
            blocked = self.blocked.get(path, ())
            extra = [f for f in annotation_findings(fx.text, path, observations)
                     if fix_key(f) not in self.held and _blocked_key(f) not in blocked]
            if extra:
                out.setdefault(path, []).extend(extra)
        return out

    def choose(self, text, findings):
        self._chosen = super().choose(text, findings)
        return self._chosen

    def fix_file(self, path, findings):
        self._chosen = []
        changed = super().fix_file(path, findings)
        if changed:
            for f in self._chosen:
                key = fix_key(f)
                first, n = self.applied.get(key, (f, 0))
                self.applied[key] = (first, n + 1)
        return changed


@dataclass
class _LoopRun:
    texts: Dict[str, str]  # user path -> text (changed files only)
    applied: "OrderedDict[FixKey, Tuple[Finding, int]]"
    findings: List[Finding]
    rolled_back: List[Tuple[str, str, str]]
    not_converged: List[Tuple[str, Tuple[str, ...]]]
    sources: Dict[str, Any]


def _run_loop(files: Sequence[str], settings: Settings, unsafe: bool, fixable: Iterable[str], held: Set[FixKey],
              jobs: Optional[int], use_cache: bool,
              observed: Optional[Dict[str, List[Observation]]] = None) -> _LoopRun:
    state = ProjectState(list(files), settings, jobs=jobs, use_cache=use_cache)
    loop = _HoldingLoop(state, set(fixable), unsafe, held, observed)
    findings, stuck = loop.run()
    texts = {p: fx.text for p, fx in loop.files.items() if fx.changed}
    return _LoopRun(texts, loop.applied, findings, loop.rolled_back, stuck,
                    {p: fx.source for p, fx in loop.files.items()})


# ---------------------------------------------------------------------------------------
# the driver
# ---------------------------------------------------------------------------------------


def _settings(paths: Sequence[str], settings: Optional[Settings], config: Optional[str], select, extend_select,
              ignore, unsafe: bool) -> Settings:
    if settings is None:
        first = paths[0] if paths else "."
        start = first if os.path.isdir(first) else (os.path.dirname(first) or ".")
        from pathlib import Path

        settings = load_settings(config, Path(start if os.path.exists(start) else "."))
    changes: Dict[str, Any] = {}
    if select is not None:
        changes["select"] = list(select)
    if extend_select:
        changes["extend_select"] = list(settings.extend_select) + list(extend_select)
    if ignore:
        changes["ignore"] = list(settings.ignore) + list(ignore)
    changes["unsafe_fixes"] = bool(unsafe or settings.unsafe_fixes)
    return replace(settings, **changes)


class _Driver:
    def __init__(self, files, settings, targets, *, unsafe, verify_kwargs, timeout, jobs, use_cache,
                 covered_only, progress: Progress, annotate_from: Sequence[Target] = ()):
        self.files = files
        self.annotate_from = list(annotate_from)
        self.observed: Dict[str, List[Observation]] = {}
        self.settings = settings
        self.targets = targets
        self.unsafe = unsafe
        self.verify_kwargs = verify_kwargs
        self.timeout = timeout
        self.jobs = jobs
        self.use_cache = use_cache
        self.covered_only = covered_only
        self.progress = progress
        self.verifications = 0
        self.notes: List[str] = []
        self.first_seen: Dict[FixKey, Finding] = {}  # where each fix was first applied, over all loop runs

    def loop(self, fixable: Iterable[str], held: Set[FixKey]) -> _LoopRun:
        run = _run_loop(self.files, self.settings, self.unsafe, fixable, held, self.jobs, self.use_cache,
                        self.observed)
        for key, (finding, _) in run.applied.items():
            self.first_seen.setdefault(key, finding)
        return run

    def verify(self, scratch: _Scratch, target: Target, eager_ref: Optional[str], eager_out: Optional[str],
               label: str) -> Outcome:
        inside = Target(target.spec, scratch.to_scratch(target.file), target.name)
        cwd = os.getcwd()
        rel = os.path.relpath(os.path.realpath(cwd), scratch.root)
        cwd = os.path.join(scratch.copy, rel) if not rel.startswith("..") else cwd
        extra = {"watch_roots": [scratch.copy, scratch.root], "eager_ref": eager_ref, "eager_out": eager_out}
        self.verifications += 1
        self.progress.update(target.spec, label)
        return run_target(inside, self.verify_kwargs, self.timeout, self.progress, module=FIX_WORKER,
                          extra=extra, cwd=cwd)

    def observe(self, scratch: _Scratch) -> None:
        """Run each ``--annotate-from`` target's eager forward in the scratch copy and keep the
        parameter types it observed, by the user's path of each file."""
        known = {os.path.realpath(p): p for p in scratch.originals}
        for target in self.annotate_from:
            inside = Target(target.spec, scratch.to_scratch(target.file), target.name)
            self.progress.update(target.spec, "observing the types forward runs with")
            rel = os.path.relpath(os.path.realpath(os.getcwd()), scratch.root)
            cwd = os.path.join(scratch.copy, rel) if not rel.startswith("..") else os.getcwd()
            o = run_target(inside, {}, self.timeout, self.progress, module=OBSERVE_WORKER,
                           extra={"watch_roots": [scratch.copy]}, cwd=cwd)
            if o.status != "ok":
                raise FixVerifyError(f"{target.spec}: --annotate-from could not run it ({o.status}): {o.message}")
            for line in (o.extra or {}).get("errors", []):
                self.notes.append(f"{target.spec}: {line}")
            for row in (o.extra or {}).get("observed", []):
                user = scratch.to_user(row["file"])
                path = known.get(os.path.realpath(user)) if user else None
                if path is None:
                    continue
                self.observed.setdefault(path, []).append(
                    Observation(path, row["qualname"], dict(row["params"]), target.spec))

    def files_of(self, scratch: _Scratch, outcome: Outcome) -> Tuple[List[str], List[str]]:
        """(project files imported from the copy, project files imported from the user's tree)."""
        inside, outside = [], []
        known = {os.path.realpath(p): p for p in scratch.originals}
        for path in (outcome.extra or {}).get("files", []):
            user = scratch.to_user(path)
            if user is not None:
                real = os.path.realpath(user)
                if real in known:
                    inside.append(known[real])
            elif os.path.realpath(path) in known:
                outside.append(known[os.path.realpath(path)])
        return sorted(set(inside)), sorted(set(outside))

    def run(self) -> FixVerifyReport:
        started = time.perf_counter()
        originals: Dict[str, bytes] = {}
        sources: Dict[str, Any] = {}
        unreadable = []
        for path in self.files:
            try:
                sources[path] = read_source(path)
                with open(path, "rb") as fh:
                    originals[path] = fh.read()
            except (Unreadable, OSError) as exc:
                unreadable.append((path, str(exc)))
        for path, why in unreadable:
            self.notes.append(f"{path}: not fixed: {why}")
        root = project_root(list(originals) or self.files, self.targets + self.annotate_from)
        scratch = _Scratch(root, originals)
        try:
            return self._run(scratch, sources, originals, started)
        finally:
            scratch.cleanup()

    def _run(self, scratch: _Scratch, sources, originals, started) -> FixVerifyReport:
        eager_dir = os.path.join(scratch.base, "eager")
        os.makedirs(eager_dir)
        refs = {t.spec: os.path.join(eager_dir, f"{i}.pt") for i, t in enumerate(self.targets)}
        # 1. the baseline
        baseline: Dict[str, Outcome] = {}
        for t in self.targets:
            outcome = self.verify(scratch, t, None, refs[t.spec], "baseline: verifying before any fix")
            if outcome.status != "ok":
                raise FixVerifyError(f"{t.spec}: cannot be verified before any fix ({outcome.status}): "
                                     f"{outcome.message}")
            baseline[t.spec] = outcome
            eager = (outcome.extra or {}).get("eager") or {}
            if not eager.get("saved"):
                self.notes.append(f"{t.spec}: {eager.get('error') or 'eager outputs not saved'}; eager results "
                                  "are not compared for it")
                refs[t.spec] = None
        coverage: Dict[str, List[str]] = {}
        outside: Dict[str, List[str]] = {}
        for spec, o in baseline.items():
            coverage[spec], outside[spec] = self.files_of(scratch, o)
        covered_files = {p for fs in coverage.values() for p in fs}
        fixable = [p for p in originals if not self.covered_only or p in covered_files]
        for spec, paths in outside.items():
            if paths:
                self.notes.append(f"{spec} imports {', '.join(paths)} from your tree, not from the scratch copy "
                                  "(an installed package?): fixes there cannot be verified by it")

        if self.annotate_from:
            self.observe(scratch)

        # 2. fix, verify, bisect, until what is applied verifies
        held: Set[FixKey] = set()
        blame: Dict[FixKey, str] = {}
        last: Dict[str, Outcome] = dict(baseline)
        run = None
        for _round in range(10_000):
            self.progress.update("fix --verify", "applying fixes (static fix loop)")
            run = self.loop(fixable, held)
            if not run.texts:
                last = dict(baseline)
                break
            encoded = {p: run.sources[p].encode(t) for p, t in run.texts.items()}
            scratch.apply(encoded)
            worse: Dict[str, List[str]] = {}
            for t in self.targets:
                o = self.verify(scratch, t, refs[t.spec], None, f"verifying {len(run.applied)} fix(es)")
                last[t.spec] = o
                bad = regressions(baseline[t.spec], o)
                if bad:
                    worse[t.spec] = bad
                    break  # bisect this one first; the others are verified in the next round
            if not worse:
                break
            spec, bad = next(iter(worse.items()))
            target = next(t for t in self.targets if t.spec == spec)
            files = set(coverage[spec]) | set(self.files_of(scratch, last[spec])[0])
            real = {os.path.realpath(p) for p in files}
            candidates = [k for k in run.applied if k[0] in real] or list(run.applied)
            culprit, why = self.bisect(scratch, target, candidates, held, bad, refs[spec], baseline[spec], fixable)
            held.add(culprit)
            blame[culprit] = f"{spec}: {why[0]}" + (f" (and {len(why) - 1} more)" if len(why) > 1 else "")
        assert run is not None
        scratch.apply({})
        # 3. the report
        targets = []
        for t in self.targets:
            b, a = baseline[t.spec], last[t.spec]
            eager = (a.extra or {}).get("eager") or {}
            tr = TargetResult(t.spec, baseline=b.report, after=a.report if run.texts else b.report,
                              files=coverage[t.spec], outside=outside[t.spec])
            if run.texts:
                tr.eager_compared = bool(eager.get("compared"))
                tr.eager_changed = eager.get("changed")
                tr.regressions = regressions(b, a)
                tr.improvements = improvements(b, a)
                if eager.get("error"):
                    tr.notes.append(eager["error"])
            else:
                tr.eager_compared = True
            targets.append(tr)
        final_files = set(covered_files)
        for t in self.targets:
            final_files |= set(self.files_of(scratch, last[t.spec])[0])
        final_real = {os.path.realpath(p) for p in final_files}
        fixes: List[FixRecord] = []
        for key, (finding, n) in run.applied.items():
            status = VERIFIED if key[0] in final_real else NOT_COVERED
            fixes.append(FixRecord(finding.path, finding.code, finding.fix.message, finding.row, finding.column,
                                   finding.fix.applicability, status, count=n))
        for key in held:
            finding = self.first_seen.get(key)
            fixes.append(FixRecord(finding.path if finding else key[0], key[1], key[2],
                                   finding.row if finding else 0, finding.column if finding else 0,
                                   finding.fix.applicability if finding and finding.fix else "?",
                                   DROPPED, reason=blame.get(key)))
        fixes.sort(key=lambda f: (f.path, f.row, f.column, f.code))
        files = {}
        for path, source in sources.items():
            files[path] = FileResult(path, source, originals[path], run.texts.get(path, source.text))
        wanted = {os.path.realpath(p) for p in originals}
        remaining = [f for f in run.findings if os.path.realpath(f.path) in wanted]
        return FixVerifyReport(fixes, targets, files, remaining, run.rolled_back, run.not_converged,
                               self.notes, self.verifications, time.perf_counter() - started)

    def bisect(self, scratch, target, candidates: List[FixKey], held: Set[FixKey], bad: List[str],
               eager_ref, base: Outcome, fixable: Sequence[str]) -> Tuple[FixKey, List[str]]:
        """The first fix (in application order) whose prefix makes ``target`` worse: applying
        ``candidates[:i-1]`` is fine and ``candidates[:i]`` is not."""
        lo, hi = 0, len(candidates)  # prefix lo is good (nothing of them: the baseline), hi is bad
        why = bad
        while hi - lo > 1:
            mid = (lo + hi) // 2
            trial_held = set(held) | set(candidates[mid:])
            self.progress.update(target.spec, f"bisecting over {len(candidates)} fix(es): trying {mid}")
            run = self.loop(fixable, trial_held)
            scratch.apply({p: run.sources[p].encode(t) for p, t in run.texts.items()})
            o = self.verify(scratch, target, eager_ref, None, f"bisecting: {mid} of {len(candidates)} fix(es)")
            now = regressions(base, o)
            if now:
                hi, why = mid, now
            else:
                lo = mid
        culprit = candidates[hi - 1]
        return culprit, why


def fix_and_verify(paths: Sequence[str], targets: Sequence[str], *, unsafe: bool = False,
                   select: Optional[Sequence[str]] = None, extend_select: Optional[Sequence[str]] = None,
                   ignore: Optional[Sequence[str]] = None, modes: Sequence[str] = MODES,
                   devices: Sequence[str] = DEVICES, save_load: bool = True, rtol: Optional[float] = None,
                   atol: Optional[float] = None, timeout: float = 600.0, use_cache: bool = True,
                   jobs: Optional[int] = 1, covered_only: bool = False, settings: Optional[Settings] = None,
                   config: Optional[str] = None, write: bool = False,
                   progress: Optional[bool] = False, annotate_from: Sequence[str] = ()) -> FixVerifyReport:
    """Fix ``paths`` (files or directories) and keep only the fixes that ``targets``
    (``"FILE.py::NAME"``, as ``jitlint verify`` takes them) prove; see the module docstring.

    Nothing is written unless ``write=True`` (or ``report.write()`` later); ``report.diff()``
    is the unified diff of the kept fixes. ``annotate_from`` (targets too) adds annotation fixes
    from the types their eager forward observed (:mod:`jitlint.runtime.observed_types`); with no
    ``targets``, they are also what verifies. Raises :class:`FixVerifyError` (a ``ValueError``)
    for bad arguments or a target that cannot be verified before any fix."""
    if isinstance(paths, str):
        paths = [paths]
    if isinstance(targets, str):
        targets = [targets]
    if isinstance(annotate_from, str):
        annotate_from = [annotate_from]
    targets = list(targets) or list(annotate_from)
    if not targets:
        raise FixVerifyError("fix_and_verify needs at least one target (FILE.py::NAME)")
    modes = tuple([modes] if isinstance(modes, str) else modes)
    devices = tuple([devices] if isinstance(devices, str) else devices)
    if not modes or any(m not in MODES for m in modes):
        raise FixVerifyError(f"modes must be a non-empty subset of {MODES}, got {modes}")
    if not devices or any(d not in DEVICES for d in devices):
        raise FixVerifyError(f"devices must be a non-empty subset of {DEVICES}, got {devices}")
    try:
        parsed = [parse_target(t) for t in targets]
        observed_targets = [parse_target(t) for t in annotate_from]
    except _UsageError as exc:
        raise FixVerifyError(str(exc)) from None
    try:
        settings = _settings(list(paths) or ["."], settings, config, select, extend_select, ignore, unsafe)
    except Exception as exc:  # noqa: BLE001 - ConfigError (not part of the linter's public API)
        if type(exc).__name__ == "ConfigError":
            raise FixVerifyError(str(exc)) from None
        raise
    files, missing = discover_files(list(paths) or ["."], settings)
    if missing:
        raise FixVerifyError(f"{missing[0]}: no such file or directory")
    if not files:
        raise FixVerifyError("no Python files to fix")
    verify_kwargs: Dict[str, Any] = {"modes": list(modes), "devices": list(devices), "save_load": save_load,
                                     "timeout": timeout}
    if rtol is not None:
        verify_kwargs["rtol"] = rtol
    if atol is not None:
        verify_kwargs["atol"] = atol
    driver = _Driver(files, settings, parsed, unsafe=settings.unsafe_fixes, verify_kwargs=verify_kwargs,
                     timeout=timeout, jobs=jobs, use_cache=use_cache, covered_only=covered_only,
                     progress=Progress(enabled=bool(progress)), annotate_from=observed_targets)
    try:
        report = driver.run()
    except Exception as exc:  # noqa: BLE001
        if type(exc).__name__ == "ConfigError":
            raise FixVerifyError(str(exc)) from None
        raise
    finally:
        driver.progress.clear()
    if write:
        report.write()
    return report


# ---------------------------------------------------------------------------------------
# text report
# ---------------------------------------------------------------------------------------


def _rel(path: str, base: Optional[str]) -> str:
    if not base:
        return path
    try:
        rel = os.path.relpath(path, base)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _render(report: FixVerifyReport, base: Optional[str]) -> str:
    out: List[str] = []
    for t in report.targets:
        out.append(f"target {t.spec}: before the fixes: {status_line(t.baseline)}")
        imported = ", ".join(_rel(p, base) for p in t.files) or "no project file"
        out.append(f"    imports {imported}")
    if report.fixes:
        out.append("")
        out.append("fixes:")
        width = max(len(s) for s in (VERIFIED, DROPPED, NOT_COVERED))
        for f in report.fixes:
            count = f" (x{f.count})" if f.count > 1 else ""
            line = f"  {f.status:<{width}}  {_rel(f.path, base)}:{f.row}:{f.column}: {f.code} {f.message}{count}"
            if f.applicability == "unsafe":
                line += " [unsafe]"
            out.append(line)
            if f.status == DROPPED and f.reason:
                out.append(f"  {'':<{width}}    dropped because {f.reason}")
            elif f.status == NOT_COVERED:
                out.append(f"  {'':<{width}}    no target imports {_rel(f.path, base)}; applied unverified")
    else:
        out.append("")
        out.append("fixes: none apply")
    out.append("")
    for t in report.targets:
        if not report.changed:
            break
        eager = ("eager unchanged" if t.eager_compared and not t.eager_changed
                 else f"eager changed: {t.eager_changed}" if t.eager_changed else "eager not compared")
        out.append(f"target {t.spec}: with the kept fixes: {status_line(t.after)}; {eager}")
        for line in t.improvements:
            out.append(f"    {line}")
        for line in t.regressions:
            out.append(f"    worse: {line}")
        for line in t.notes:
            out.append(f"    note: {line}")
    for note in report.notes:
        out.append(f"note: {note}")
    for path, code, why in report.rolled_back:
        out.append(f"warning: {_rel(path, base)}: the {code} fix was rolled back: {why}")
    for path, codes in report.not_converged:
        out.append(f"error: failed to converge after {MAX_PASSES} passes in {_rel(path, base)} "
                   f"with rule codes {', '.join(codes)}")
    v, d, n = len(report.verified), len(report.dropped), len(report.not_covered)
    out.append(f"{v} fix(es) verified, {d} dropped, {n} not covered ({report.verifications} verification(s), "
               f"{report.seconds:.1f}s)")
    return "\n".join(out).rstrip("\n") + "\n"


def render_findings(findings: Sequence[Finding], base: Optional[str] = None) -> str:
    return "".join(f"{_rel(f.path, base)}:{f.row}:{f.column}: {f.code} {f.message}\n" for f in findings)


# ---------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # noqa: D401 - argparse API
        raise _UsageError(message)


def _codes(values: Optional[List[str]]) -> Optional[List[str]]:
    if values is None:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="jitlint fix",
        description=("Apply jitlint's fixes to a scratch copy of the project, verify the targets there before "
                     "and after (script, trace, run, compare with eager, state, save/load) and keep only the "
                     "fixes after which nothing that passed fails and eager results are unchanged."),
        epilog="TARGET is FILE.py::NAME, a callable returning (model, [args_tuple, ...]), as for jitlint verify.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to fix (default: .)")
    parser.add_argument("--verify", action="append", default=[], metavar="FILE.py::NAME", required=False,
                        help="a target that must not get worse (repeatable)")
    parser.add_argument("--annotate-from", action="append", default=[], metavar="FILE.py::NAME",
                        help="run this target's eager forward, and annotate the parameters of the functions it "
                             "ran with the types they held (verified like any fix; it verifies when no "
                             "--verify is given; repeatable)")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply (and verify) unsafe fixes")
    parser.add_argument("--select", action="append", help="rule codes or prefixes to enable")
    parser.add_argument("--extend-select", action="append", help="codes or prefixes to enable in addition")
    parser.add_argument("--ignore", action="append", help="codes or prefixes to disable")
    parser.add_argument("--config", metavar="PATH", help="a pyproject.toml or jitlint.toml")
    parser.add_argument("--diff", action="store_true", help="print the diff of the kept fixes; write nothing "
                                                            "(exit 1 when something would change)")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the lint cache")
    parser.add_argument("--covered-only", action="store_true",
                        help="leave out the fixes in files no target imports (instead of applying them unverified)")
    parser.add_argument("--mode", choices=("script", "trace", "all"), default="all")
    parser.add_argument("--device", choices=("cpu", "cuda", "all"), default="all",
                        help="device(s) to verify on; CUDA is skipped with a note when unavailable (default: all)")
    parser.add_argument("--no-save-load", action="store_true", help="skip the fresh-process save/load check")
    parser.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                        help="kill one verification of a target after this many seconds (default 600)")
    parser.add_argument("--output-format", choices=("text", "json"), default="text")
    parser.add_argument("--no-progress", action="store_true", help="no progress indicator on stderr")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-fix report, only what remains")
    return parser


def main_fix(argv: Optional[Sequence[str]] = None) -> int:
    """``jitlint fix PATH... --verify FILE.py::NAME``; returns the exit code."""
    import json

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        if any(a in ("-h", "--help") for a in argv):
            parser.print_help(sys.stdout)
            return EXIT_CLEAN
        args = parser.parse_args(argv)
        if not args.verify and not args.annotate_from:
            raise _UsageError("jitlint fix needs --verify FILE.py::NAME or --annotate-from FILE.py::NAME (to fix "
                              "without verifying: jitlint check --fix)")
        if not (args.timeout > 0):
            raise _UsageError("--timeout must be a positive number")
    except _UsageError as exc:
        sys.stderr.write(parser.format_usage())
        sys.stderr.write(f"jitlint fix: error: {exc}\n")
        return EXIT_USAGE
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        sys.stderr.write("jitlint fix: error: --verify needs torch in this Python (pip install 'jitlint[runtime]')\n")
        return EXIT_USAGE
    try:
        report = fix_and_verify(
            args.paths or ["."], args.verify, annotate_from=args.annotate_from, unsafe=args.unsafe_fixes, select=_codes(args.select),
            extend_select=_codes(args.extend_select), ignore=_codes(args.ignore), config=args.config,
            modes=MODES if args.mode == "all" else (args.mode,),
            devices=DEVICES if args.device == "all" else (args.device,), save_load=not args.no_save_load,
            timeout=args.timeout, use_cache=not args.no_cache, progress=not args.no_progress, write=False)
    except FixVerifyError as exc:
        sys.stderr.write(f"jitlint fix: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("jitlint fix: interrupted; nothing was written\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the user
        if os.environ.get("JITLINT_DEBUG"):
            raise
        sys.stderr.write(f"jitlint fix: internal error: {type(exc).__name__}: {exc}; nothing was written "
                         "(set JITLINT_DEBUG=1 for a traceback)\n")
        return EXIT_USAGE
    base = os.getcwd()
    if args.diff:
        code = EXIT_FINDINGS if report.changed else EXIT_CLEAN
        if args.output_format == "json":
            data = report.to_dict()
            data["exit_code"] = code
            data["diff"] = report.diff()
            sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
            return code
        sys.stdout.write(report.diff())
        if not args.quiet:
            sys.stderr.write(report.render_text(base))
        sys.stderr.write(f"Would fix {_plural(report.fixed)}.\n" if report.fixed else "No errors would be fixed.\n")
        return code
    report.write()
    code = EXIT_FINDINGS if report.findings else EXIT_CLEAN
    if report.not_written:
        code = EXIT_USAGE
    if args.output_format == "json":
        data = report.to_dict()
        data["exit_code"] = code
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
        return code
    out = sys.stdout
    if not args.quiet:
        out.write(report.render_text(base))
        out.write("\n")
    for path, why in report.not_written:
        sys.stderr.write(f"jitlint fix: error: {path}: {why}\n")
    out.write(render_findings(report.findings, base))
    fixed = report.fixed if report.written else 0
    total = fixed + len(report.findings)
    if fixed:
        out.write(f"Found {_plural(total)} ({fixed} fixed, {len(report.findings)} remaining).\n")
    elif report.findings:
        out.write(f"Found {_plural(len(report.findings))}.\n")
    else:
        out.write("All checks passed!\n")
    return code


def _plural(n: int, word: str = "error") -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
