"""The fix loop, with ruff's semantics: apply, analyse again, repeat until nothing applies.

Each pass takes the project's findings, applies per file every fix that does not overlap an
earlier one (a named codemod alone, when no text fix is left), adds the imports those fixes
need, and analyses the changed files again; reach is then decided again over all the
summaries, so a fix in one file can make another file's finding appear or go. A pass whose
result for a file does not parse, or that brings a new tool finding (JIT0xx: syntax error,
internal error), is never kept: the fixes of that pass are tried one by one and each one that
breaks the file is blocked and reported by rule. The loop stops when no fix applies, or after
:data:`MAX_PASSES` (ruff's limit), reporting the rules that kept fixing as "failed to
converge"; a file whose text comes back to an earlier state is the same case.

Nothing is written here: the caller decides between writing (``--fix``), printing a diff
(``--diff``) or writing to stdout (stdin), from :class:`FixReport`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ..linter.api import SAFE, UNSAFE, Finding, Fix, ProjectState, Settings
from .edits import apply_fixes
from .registry import CodemodFailed, apply_codemod
from .writes import SourceFile, Unreadable, read_source, source_from_bytes

MAX_PASSES = 100
TOOL_CODES = ("JIT001", "JIT002", "JIT003")  # a fix must never bring one of these


def applicable(fix: Optional[Fix], unsafe: bool) -> bool:
    """Does ``--fix`` (with ``--unsafe-fixes`` when ``unsafe``) apply this fix?"""
    if fix is None:
        return False
    return fix.applicability == SAFE or (unsafe and fix.applicability == UNSAFE)


@dataclass
class FileFix:
    """What the loop did to one file."""

    source: SourceFile
    text: str
    applied: Counter = field(default_factory=Counter)  # rule code -> fixes applied

    @property
    def changed(self) -> bool:
        return self.text != self.source.text

    def data(self) -> bytes:
        return self.source.encode(self.text)


@dataclass
class FixReport:
    files: Dict[str, FileFix]
    findings: List[Finding]                  # what remains after the fixes
    rolled_back: List[Tuple[str, str, str]]  # (path, rule code, why): fixes never kept
    not_converged: List[Tuple[str, Tuple[str, ...]]]  # (path, rule codes still fixing)
    unreadable: List[Tuple[str, str]]        # (path, why): files with fixes that could not be read

    @property
    def fixed(self) -> int:
        return sum(sum(f.applied.values()) for f in self.files.values())

    @property
    def changed(self) -> List[FileFix]:
        return [f for f in self.files.values() if f.changed]


def _tool_findings(result) -> Counter:
    return Counter(c.finding.code for c in result.conditionals if c.finding.code in TOOL_CODES)


def _blocked_key(finding: Finding) -> Tuple[str, str]:
    # Positions move as other fixes land; a rule's fix message names the change it makes.
    return finding.code, finding.fix.message if finding.fix else ""


def rewrite(text: str, fixes: Sequence[Fix]) -> str:
    """``text`` with these fixes applied as one pass applies them (edits, then imports, then a
    codemod); raises :class:`CodemodFailed` when a codemod refuses."""
    new, _ = apply_fixes(text, fixes)
    imports = sorted({imp for fix in fixes for imp in fix.imports}, key=lambda i: (i[0], i[1] or ""))
    if imports:
        from .imports import add_imports

        new = add_imports(new, imports)
    for fix in fixes:
        if fix.codemod is not None:
            name, args = fix.codemod
            new = apply_codemod(name, new, tuple(args))
    return new


class _Loop:
    def __init__(self, state: ProjectState, fixable: Set[str], unsafe: bool, stdin: Optional[Tuple[str, str]]):
        self.state = state
        self.fixable = fixable
        self.unsafe = unsafe
        self.stdin = stdin
        self.files: Dict[str, FileFix] = {}
        self.blocked: Dict[str, Set[Tuple[str, str]]] = {}
        self.history: Dict[str, Set[str]] = {}
        self.rolled_back: List[Tuple[str, str, str]] = []
        self.unreadable: List[Tuple[str, str]] = []
        self.unreadable_paths: Set[str] = set()

    def file(self, path: str) -> Optional[FileFix]:
        if path in self.files:
            return self.files[path]
        if path in self.unreadable_paths:
            return None
        try:
            if self.stdin is not None and path == self.stdin[0]:
                source = source_from_bytes(path, self.stdin[1].encode("utf-8", "surrogatepass"))
            else:
                source = read_source(path)
        except Unreadable as exc:
            self.unreadable_paths.add(path)
            self.unreadable.append((path, str(exc)))
            return None
        self.files[path] = FileFix(source, source.text)
        self.history[path] = {source.text}
        return self.files[path]

    def candidates(self, findings: Iterable[Finding]) -> Dict[str, List[Finding]]:
        out: Dict[str, List[Finding]] = {}
        for f in findings:
            if f.path not in self.fixable or f.cell is not None or not applicable(f.fix, self.unsafe):
                continue
            if _blocked_key(f) in self.blocked.get(f.path, ()):
                continue
            out.setdefault(f.path, []).append(f)
        return out

    def block(self, path: str, findings: Sequence[Finding], why: Optional[str]) -> None:
        for f in findings:
            key = _blocked_key(f)
            if key in self.blocked.setdefault(path, set()):
                continue
            self.blocked[path].add(key)
            if why is not None:
                self.rolled_back.append((path, f.code, why))

    def rewrite(self, text: str, chosen: Sequence[Finding]) -> str:
        return rewrite(text, [f.fix for f in chosen])

    def choose(self, text: str, findings: List[Finding]) -> List[Finding]:
        """The fixes one pass applies: every non-overlapping text fix, else one codemod."""
        plain = [f for f in findings if f.fix.codemod is None]
        if plain:
            _, indexes = apply_fixes(text, [f.fix for f in plain])
            return [plain[i] for i in indexes]
        return findings[:1]

    def breaks(self, path: str, fx: FileFix, new: str) -> Tuple[bool, object]:
        result = self.state.analyze(path, fx.source.encode(new))
        before = self.state.results.get(path)
        old = _tool_findings(before) if before is not None else Counter()
        return bool(_tool_findings(result) - old), result

    def fix_file(self, path: str, findings: List[Finding]) -> bool:
        """One pass over one file; True when its text changed."""
        fx = self.file(path)
        if fx is None:
            return False
        chosen = self.choose(fx.text, findings)
        try:
            new = self.rewrite(fx.text, chosen)
        except CodemodFailed as exc:
            self.block(path, chosen, None if len(chosen) == 1 else str(exc))
            return False
        if new == fx.text:
            self.block(path, chosen, None)  # nothing to change: a no-op fix must not loop
            return False
        broken, result = self.breaks(path, fx, new)
        if broken:
            self._find_breakers(path, fx, chosen)
            return False
        if new in self.history[path]:
            return False  # a cycle: reported as not converged by the caller
        self.history[path].add(new)
        fx.text = new
        fx.applied.update(f.code for f in chosen)
        self.state.update(path, result)
        return True

    def _find_breakers(self, path: str, fx: FileFix, chosen: Sequence[Finding]) -> None:
        """Try each fix of a broken pass alone; block those that break the file by themselves
        (or all of them, when only their combination does)."""
        breakers = []
        for f in chosen:
            try:
                alone = self.rewrite(fx.text, [f])
            except CodemodFailed:
                breakers.append(f)
                continue
            if self.breaks(path, fx, alone)[0]:
                breakers.append(f)
        why = "the fixed code would not parse or be analysable; not applied"
        self.block(path, breakers or list(chosen), why)

    def _blocked_count(self) -> int:
        return sum(len(keys) for keys in self.blocked.values())

    def run(self) -> Tuple[List[Finding], List[Tuple[str, Tuple[str, ...]]]]:
        findings = self.state.findings()
        for _ in range(MAX_PASSES):
            todo = self.candidates(findings)
            if not todo:
                return findings, []
            blocked_before = self._blocked_count()
            changed = [path for path, fs in todo.items() if self.fix_file(path, fs)]
            if not changed and self._blocked_count() == blocked_before:
                break  # what is left came back to an earlier text (a cycle)
            # (a pass that only blocked fixes lets the others be tried next pass)
            findings = self.state.findings()
        # Fixes still apply: the pass cap was reached, or files cycle between texts.
        stuck = [(path, tuple(sorted({f.code for f in fs}))) for path, fs in sorted(self.candidates(findings).items())]
        return findings, stuck


def fix_project(files: Sequence[str], settings: Settings, *, unsafe: bool = False, fixable: Optional[Iterable[str]] = None,
                jobs: Optional[int] = 1, use_cache: bool = True,
                stdin: Optional[Tuple[str, str]] = None) -> FixReport:
    """Run the fix loop over a project. ``fixable`` names the files that may be changed (the
    files reported on; ``--context`` files are analysed but never touched); default: all."""
    state = ProjectState(files, settings, jobs=jobs, use_cache=use_cache, stdin=stdin)
    allowed = set(fixable) if fixable is not None else set(files) | ({stdin[0]} if stdin else set())
    loop = _Loop(state, allowed, unsafe, stdin)
    findings, stuck = loop.run()
    return FixReport(loop.files, findings, loop.rolled_back, stuck, loop.unreadable)


def fix_source(text: str, filename: str = "<string>", settings: Optional[Settings] = None, *,
               unsafe: bool = False) -> FixReport:
    """The fix loop over one module's text as a project of its own (tests, editors)."""
    return fix_project([], settings or Settings(), unsafe=unsafe, use_cache=False, stdin=(filename, text))


def fix_buffer(state: ProjectState, path: str, text: str, *, unsafe: bool = False) -> FixReport:
    """The fix loop over one unsaved buffer inside an analysed project (an editor's "fix all"):
    ``state`` must already hold the result of ``text`` for ``path``; reach is decided over the
    whole project, only ``path`` is changed, and ``state`` itself is left as it was."""
    import copy

    scratch = copy.copy(state)
    scratch.results = dict(state.results)
    loop = _Loop(scratch, {path}, unsafe, (path, text))
    findings, stuck = loop.run()
    return FixReport(loop.files, findings, loop.rolled_back, stuck, loop.unreadable)
