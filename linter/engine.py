"""The engine: analyse files (in parallel, through the cache), settle reach, report.

One engine serves every door: the CLI, ``python -m jitlint``, the flake8 plugin, the
pre-commit hook and the runtime verifier's cross-check all end up in :func:`check_files`.
"""

from __future__ import annotations

import gc
import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

from .analysis.source import SourceText, decode, read
from .analysis.summary import FileSummary
from .analysis.trace_dims import reported as trace_reported
from .config import Settings, per_file_ignored, select_codes
from .finding import Finding
from .results import Conditional, FileResult
from .rules import all_rules, rule_index


@dataclass
class Report:
    findings: List[Finding]
    files: int
    problems: List[Tuple[str, str]] = field(default_factory=list)
    cache_hits: int = 0


_DISPATCH: Dict[Tuple[str, ...], object] = {}


def _dispatch(codes: Tuple[str, ...]):
    d = _DISPATCH.get(codes)
    if d is None:
        from .function_walker import Dispatch

        rules = all_rules()
        d = Dispatch([rules[c]() for c in codes if c in rules])
        _DISPATCH[codes] = d
    return d


def _tool_finding(code: str, path: str, message: str, row: int = 1, column: int = 1) -> Finding:
    rule = rule_index()[code]
    return Finding(code, rule.name, message, path, row, column, row, column, "error", None, row)


def analyze_text(path: str, text: str, module_name: str, package: str, codes: Tuple[str, ...],
                 mypy_table: Optional[dict] = None, defer: bool = False) -> FileResult:
    """Analyse one file's text. Never raises: problems become JIT0xx findings.

    ``mypy_table`` (``--types mypy``) maps mypy's expression ranges to types. With ``defer``,
    findings are not positioned yet: :func:`settle_deferred` positions only those the project
    step keeps (positions cost a codegen pass; most files' pending findings are out of reach).
    Deferred results keep the parsed tree in memory and cannot be cached.
    """
    summary = FileSummary(path=path, module=module_name, package=package)
    try:
        import libcst as cst

        try:
            module = cst.parse_module(text)
        except (cst.ParserSyntaxError, cst.CSTValidationError) as exc:
            # CSTValidationError: libcst's parser accepted what its tree refuses, e.g. an
            # identifier from a newer Unicode version than this Python's (found by fuzzing)
            line, col, message = _syntax_error(text, exc)
            return FileResult(path, summary, [Conditional(_tool_finding("JIT001", path, message, line, col))], parsed=False)
        except RecursionError:
            return FileResult(path, summary, [Conditional(_tool_finding(
                "JIT003", path, "internal error: the file is nested too deeply to parse"))], parsed=False)
        from .file_checker import FileAnalyzer, finalize

        analyzer = FileAnalyzer(path, text, module_name, package, _dispatch(codes), module)
        if mypy_table:
            from .analysis.typecheck.mypy_types import node_types_for

            analyzer.external_types = node_types_for(module, mypy_table)
        noqa = _noqa_directives(text, codes)
        # Deferred: rules that need reach walk only the functions a compiler reaches, once known
        # (and those holding a noqa JIT005 judges: it counts suppressions in unreached code too).
        fctx = analyzer.run(lazy=defer)
        if defer:
            result = FileResult(path, analyzer.summary, [], noqa=noqa)

            def position(keep, reached=None, _fctx=fctx, _module=module, _result=result, _analyzer=analyzer):
                if reached is not None:
                    _analyzer.complete(reached, [d.row for d in _result.noqa])
                if _result.noqa:
                    # JIT005 needs every suppressed finding, also those out of reach
                    suppressed: set = set()
                    conditionals = finalize(path, text, _module, _fctx, all_rules(), suppressed)
                    _result.suppressed = frozenset(suppressed)
                    return [c for c in conditionals if keep(c.requires)]
                _fctx.pending = [p for p in _fctx.pending if keep(p.requires)]
                return finalize(path, text, _module, _fctx, all_rules())

            result.deferred = position
            return result
        suppressed: set = set()
        conditionals = finalize(path, text, module, fctx, all_rules(), suppressed if noqa else None)
        return FileResult(path, analyzer.summary, conditionals, noqa=noqa, suppressed=frozenset(suppressed))
    except Exception as exc:  # noqa: BLE001 - an engine bug on one file must not stop the run
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" ({tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb else ""
        return FileResult(path, summary, [Conditional(_tool_finding(
            "JIT003", path, f"internal error: {type(exc).__name__}: {exc}{where}"))], parsed=False)


def _noqa_directives(text: str, codes: Tuple[str, ...]) -> tuple:
    """The ``# noqa`` directives JIT005 judges in this file (none when it is not selected or a
    file-level ``# jitlint: noqa`` silences it)."""
    if "JIT005" not in codes or "noqa" not in text.lower():
        return ()
    from .analysis.noqa import directives, file_suppresses

    return () if file_suppresses(text, "JIT005") else directives(text)


def unused_noqa(results: Dict[str, FileResult], codes: Sequence[str]) -> List[Finding]:
    """JIT005 findings, once every file's suppressed findings are known.

    Files not fully analysed (unparsable, unreadable, a rule crashed: JIT001-JIT004) are not
    judged, as their findings are incomplete."""
    if "JIT005" not in codes:
        return []
    from .analysis.noqa import used_rows

    rule = all_rules()["JIT005"]()
    known = list(rule_index())
    out: List[Finding] = []
    for path, result in results.items():
        if not result.noqa or not result.parsed:
            continue
        if any(c.finding.code in ("JIT001", "JIT002", "JIT003", "JIT004") for c in result.conditionals):
            continue
        out.extend(rule.judge(result.path, result.noqa, used_rows(set(result.suppressed)), codes, known))
    return out


def _syntax_error(text: str, exc) -> Tuple[int, int, str]:
    """Position and message of a syntax error, as Python itself reports it.

    libcst's parser positions are approximate; CPython's are what users see everywhere else.
    When CPython parses the file but libcst cannot, say so (a construct newer than libcst).
    """
    import ast

    try:
        ast.parse(text)
    except SyntaxError as err:
        line = max(1, err.lineno or 1)
        col = max(1, err.offset or 1)
        return line, col, f"syntax error: {err.msg}"
    except (ValueError, RecursionError, MemoryError) as err:
        return 1, 1, f"syntax error: {err}"
    message = getattr(exc, "message", None) or str(exc)
    first = message.strip().splitlines()[0] if message.strip() else "cannot parse"
    line, column = getattr(exc, "raw_line", 1), getattr(exc, "raw_column", 0)
    return max(1, line), max(1, column + 1), f"syntax not supported by jitlint's parser (libcst): {first}"


def _analyze_path(job) -> Tuple[str, Optional[str], FileResult]:
    path, module_name, package, codes, max_size, mypy_table = job[:6]
    defer = job[6] if len(job) > 6 else False
    src = read(path, max_size)
    return _result_for_source(src, module_name, package, codes, mypy_table, defer)


def _result_for_source(src: SourceText, module_name: str, package: str, codes: Tuple[str, ...],
                       mypy_table: Optional[dict] = None, defer: bool = False):
    from .cache import content_hash

    digest = None if (src.problem and src.problem[0] == "JIT004") else content_hash(src.data)
    if src.problem is not None:
        code, message = src.problem
        summary = FileSummary(path=src.path, module=module_name, package=package)
        return src.path, digest, FileResult(src.path, summary, [Conditional(_tool_finding(code, src.path, message))], parsed=False)
    return src.path, digest, analyze_text(src.path, src.text or "", module_name, package, codes, mypy_table, defer)


def analyze_files(files: Sequence[str], settings: Settings, *, jobs: Optional[int] = 1, use_cache: bool = True,
                  stdin: Optional[Tuple[str, str]] = None) -> Tuple[Dict[str, FileResult], int]:
    """Per-file results (through the cache, in parallel) and the number of cache hits.

    This is the part of a check that depends on each file alone; :func:`check_files` then
    settles reach over the whole project. Benchmarks reuse it to ask reach questions per model.
    """
    with _gc_tuned():
        return _analyze_files(files, settings, jobs=jobs, use_cache=use_cache, stdin=stdin)


@contextmanager
def _gc_tuned():
    """Run the cyclic garbage collector rarely while analysing.

    libcst allocates about a million objects per 100k lines and its trees are acyclic (freed by
    reference counting), so the default thresholds make the collector rescan the growing heap
    over and over: about 40% of libcst's parse time on torch/nn. A higher first threshold keeps
    it bounded but rare; the caller's settings are restored afterwards.
    """
    previous = gc.get_threshold()
    gc.set_threshold(50_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


# Worker processes pay off only with enough source to analyse: on 2 cores ``-j 2`` took 0.54x
# the wall time of one process on bench/speed.py's 296 files, while on three files (250 KB)
# the pool's start-up and result hand-back made it slower. 400 KB is a conservative cut
# between the two; re-measure with ``bench/speed.py`` on an idle machine.
AUTO_PARALLEL_BYTES = 400_000


def auto_jobs(files: int, source_bytes: int) -> int:
    """Processes to use when the user did not say (``-j`` unset), as ruff is parallel by default:
    one per CPU when there is enough work, else one (identical findings either way)."""
    if files < 2 or source_bytes < AUTO_PARALLEL_BYTES:
        return 1
    return max(1, min(os.cpu_count() or 1, files))


def _analyze_files(files, settings, *, jobs, use_cache, stdin):
    from .cache import Cache
    from .discovery import module_name_for

    codes = tuple(select_codes(settings, rule_index()))
    results: Dict[str, FileResult] = {}
    mypy_tables: Dict[str, dict] = {}
    if settings.types == "mypy":
        # mypy's types depend on other files: no per-file cache in this mode
        use_cache = False
        mypy_tables = _mypy_tables(files, settings)
    cache = Cache.open(settings, codes) if use_cache else None
    pending = []
    for path in files:
        module, package = module_name_for(path)
        if cache is not None:
            hit = cache.lookup(path, settings.max_file_size)
            if hit is not None:
                results[path] = hit
                continue
        pending.append((path, module, package, _file_size(path)))
    if jobs is None:
        jobs = auto_jobs(len(pending), sum(size for *_, size in pending))
    # Without cache and in one process, keep trees until reach is known and position only the
    # findings that survive; bounded so that memory stays modest on large trees.
    defer_budget = DEFER_SOURCE_BYTES if (cache is None and jobs <= 1) else 0
    jobs_todo = []
    for path, module, package, size in pending:
        defer = 0 < size <= defer_budget
        if defer:
            defer_budget -= size
        jobs_todo.append((path, module, package, codes, settings.max_file_size, mypy_tables.get(path), defer))
    hits = len(results)
    if jobs_todo:
        if jobs > 1 and len(jobs_todo) > 1:
            import multiprocessing

            ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
            chunk = max(1, len(jobs_todo) // (jobs * 8))
            with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
                outputs = list(pool.map(_analyze_path, jobs_todo, chunksize=chunk))
        else:
            outputs = [_analyze_path(job) for job in jobs_todo]
        for path, digest, result in outputs:
            results[path] = result
            if cache is not None and digest is not None:
                cache.store(path, digest, result)
    if stdin is not None:
        filename, text = stdin
        module, package = module_name_for(filename)
        src = decode(filename, text.encode("utf-8", "surrogatepass"))
        _, _, result = _result_for_source(src, module, package, codes)
        results[filename] = result
    if cache is not None:
        cache.save()
    return results, hits


DEFER_SOURCE_BYTES = 8_000_000  # ~30x that in libcst trees kept alive until reach is settled


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def settle_deferred(results: Dict[str, FileResult], project) -> None:
    """Walk what the project reaches in lazily analysed files, then position the deferred
    findings the project keeps (see analyze_text's ``defer``)."""
    reached_ids: Optional[Set[str]] = None

    def reached(fid: str) -> bool:
        nonlocal reached_ids
        if reached_ids is None:
            project.compute()
            reached_ids = {fid for fid, _ in project.reached}
        return fid in reached_ids

    for result in results.values():
        if result.deferred is not None:
            position, result.deferred = result.deferred, None
            result.conditionals = position(lambda requires: not requires or project.check(requires) is not None,
                                           reached)


def project_for(results, settings: Settings, **overrides):
    """The project model over per-file results, with the settings' roots and modes
    (``external_modules``: modules of dependency files, read for reach only)."""
    from .analysis.reach import Project

    options = dict(
        modes=settings.modes,
        extra_roots=[(p, "script") for p in settings.script_roots] + [(p, "trace") for p in settings.trace_roots],
        module_bases=settings.module_bases, auto_roots=settings.auto_roots,
    )
    options.update(overrides)
    return Project([r.summary for r in results.values()], **options)


def check_files(files: Sequence[str], settings: Settings, *, jobs: Optional[int] = 1, use_cache: bool = True,
                stdin: Optional[Tuple[str, str]] = None, context: Sequence[str] = ()) -> Report:
    """Check ``files`` as one project (plus an optional ``(filename, text)`` from stdin);
    ``context``: those of ``files`` the caller does not report (see ProjectState)."""
    state = ProjectState(files, settings, jobs=jobs, use_cache=use_cache, stdin=stdin, context=context)
    return Report(state.findings(), len(state.results), cache_hits=state.cache_hits)


class ProjectState:
    """The per-file results of one project, kept so that a file whose text changed (the fix
    loop) is analysed again alone, while reach is decided again over all the summaries."""

    def __init__(self, files: Sequence[str], settings: Settings, *, jobs: Optional[int] = 1,
                 use_cache: bool = True, stdin: Optional[Tuple[str, str]] = None, context: Sequence[str] = ()):
        self.settings = settings
        # --context files: analysed and roots like the others, but reported by the caller's
        # filter only; what checked code reaches in them is reported at the call site
        self.context = {os.path.realpath(p) for p in context}
        self.codes = tuple(select_codes(settings, rule_index()))
        with _gc_tuned():
            self.results, self.cache_hits = analyze_files(files, settings, jobs=jobs, use_cache=use_cache,
                                                          stdin=stdin)
            self.dependencies = load_dependencies(self.results, settings, self.codes, use_cache)
            if self.dependencies is not None:
                self.cache_hits += self.dependencies.cache_hits

    def analyze(self, path: str, data: bytes) -> FileResult:
        """The result of ``data`` as the new content of ``path`` (nothing is stored)."""
        from .discovery import module_name_for

        module, package = module_name_for(path)
        return _result_for_source(decode(path, data), module, package, self.codes)[2]

    def update(self, path: str, result: FileResult) -> None:
        self.results[path] = result

    def findings(self, paths: Optional[Set[str]] = None) -> List[Finding]:
        """The project's findings; with ``paths``, only those in these files (reach is still
        decided over every file: an editor asks for its open buffers only)."""
        deps = self.dependencies
        context = {p: r for p, r in self.results.items() if os.path.realpath(p) in self.context} \
            if self.context and deps is not None else {}
        with _gc_tuned():
            if deps is None or not (deps.results or context):
                project = project_for(self.results, self.settings)
            else:
                project = project_for({**self.results, **deps.results}, self.settings,
                                      external_modules=deps.modules,
                                      context_modules={r.summary.module for r in context.values()})
            settle_deferred(self.results, project)
        shown = self.results if paths is None else {p: r for p, r in self.results.items() if p in paths}
        findings = project.filter(shown.values())
        if deps is not None and (deps.results or context):
            from .dependencies import call_site_findings

            sources = {p: (r, deps.roots[p]) for p, r in deps.results.items()}
            sources.update((p, (r, self.settings.project_root)) for p, r in context.items())
            reported = {p: r for p, r in shown.items() if p not in context}
            findings += call_site_findings(project, sources, reported, self.settings)
        findings += unused_noqa(shown, self.codes)
        findings = [f for f in findings if not per_file_ignored(self.settings, f.path, f.code)
                    and trace_reported(f.varies, self.settings.trace_dynamic)]
        findings = _in_notebook_cells(findings, self.settings)
        findings.sort(key=Finding.sort_key)
        return findings


def load_dependencies(results: Dict[str, FileResult], settings: Settings, codes: Tuple[str, ...],
                      use_cache: bool = True):
    """The files outside ``results`` that reached code needs, analysed for reach only
    (linter/dependencies.py); None when dependency reach is off or types come from mypy."""
    if not settings.dependencies or settings.types == "mypy" or not results:
        return None
    from .cache import Cache
    from .dependencies import load

    cache = Cache.open(settings, codes) if use_cache else None

    def analyze_one(path: str, module: str, package: str):
        if cache is not None:
            hit = cache.lookup(path, settings.max_file_size)
            if hit is not None:
                return hit, True
        _, digest, result = _analyze_path((path, module, package, codes, settings.max_file_size, None, False))
        if cache is not None and digest is not None:
            cache.store(path, digest, result)
        return result, False

    def project(all_results, external):
        return project_for(all_results, settings, external_modules=external)

    deps = load(results, settings, project, analyze_one)
    if cache is not None:
        cache.save()
    return deps


def _in_notebook_cells(findings: List[Finding], settings: Settings) -> List[Finding]:
    """Rows of notebook findings as (cell, row in cell). Fixes are dropped there: their edits
    address the joined code, not the notebook's JSON (applying them is codemods' job)."""
    from dataclasses import replace

    from .analysis.notebook import NOTEBOOK_SUFFIX, cell_position
    from .analysis.source import read

    cells_of: Dict[str, list] = {}
    out = []
    for f in findings:
        if not f.path.endswith(NOTEBOOK_SUFFIX) or f.code.startswith(("JIT002", "JIT004")):
            out.append(f)
            continue
        if f.path not in cells_of:
            cells_of[f.path] = read(f.path, settings.max_file_size).cells or []
        starts = cells_of[f.path]
        if not starts:
            out.append(f)
            continue
        cell, row = cell_position(starts, f.row)
        end_cell, end_row = cell_position(starts, f.end_row)
        noqa_row = cell_position(starts, f.noqa_row)[1] if f.noqa_row is not None else None
        out.append(replace(f, cell=cell, row=row, end_row=end_row if end_cell == cell else row, fix=None,
                           noqa_row=noqa_row))
    return out


def _mypy_tables(files: Sequence[str], settings: Settings) -> Dict[str, dict]:
    from .analysis.typecheck.mypy_types import MypyUnavailable, collect
    from .config import ConfigError
    from .discovery import module_name_for

    cache_dir = settings.cache_dir or os.path.join(settings.project_root, ".jitlint_cache")
    try:
        return collect([(f, module_name_for(f)[0]) for f in files], cache_dir)
    except MypyUnavailable as exc:
        raise ConfigError(str(exc)) from None


def check_source(text: str, filename: str = "<string>", settings: Optional[Settings] = None) -> List[Finding]:
    """Check one module's text as a project of its own (used by tests and editor doors)."""

    settings = settings or Settings()
    codes = tuple(select_codes(settings, rule_index()))
    module = os.path.basename(filename).rsplit(".", 1)[0] or "module"
    result = analyze_text(filename, text, module, "", codes, defer=True)
    project = project_for({filename: result}, settings)
    settle_deferred({filename: result}, project)
    findings = project.filter([result]) + unused_noqa({filename: result}, codes)
    findings = [f for f in findings if trace_reported(f.varies, settings.trace_dynamic)]
    findings.sort(key=Finding.sort_key)
    return findings
