"""``jitlint check --fix`` / ``--diff`` / ``--fix-only``: the CLI side of the fix loop.

The loop itself lives in ``codemods/fix_loop.py`` and writes nothing; this module decides
what happens to its result, as ruff does: ``--fix`` writes the changed files atomically (or
the fixed source to stdout for ``-``, with the report on stderr), ``--diff`` prints a unified
diff and writes nothing, and the report lists what remains with ``(M fixed, K remaining)``.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections import Counter
from typing import List, Sequence

from .engine import Report

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _plural(n: int, word: str = "error") -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run_fix(args, settings, files: Sequence[str], context_files: Sequence[str], stdin, jobs,
            problems: Sequence) -> int:
    from ..codemods.fix_loop import MAX_PASSES, fix_project

    fixable = list(files) + ([stdin[0]] if stdin is not None else [])
    report = fix_project(list(files) + list(context_files), settings, unsafe=settings.unsafe_fixes,
                         fixable=fixable, jobs=jobs, use_cache=not args.no_cache, stdin=stdin)
    wanted = {os.path.realpath(f) for f in fixable}
    remaining = [f for f in report.findings if os.path.realpath(f.path) in wanted]
    err = sys.stderr
    if not args.silent:
        for path, problem in problems:
            err.write(f"jitlint: warning: {path}: {problem}\n")
        for path, why in report.unreadable:
            err.write(f"jitlint: warning: {path}: not fixed: {why}\n")
        for path, code, why in report.rolled_back:
            err.write(f"jitlint: warning: {path}: the {code} fix was rolled back: {why}\n")
        for path, codes in report.not_converged:
            err.write(f"jitlint: error: failed to converge after {MAX_PASSES} passes in {path} "
                      f"with rule codes {', '.join(codes)}\n")
    changed = sorted(report.changed, key=lambda f: f.source.path)
    fixed = report.fixed
    if args.diff:
        if not args.silent:
            for fx in changed:
                sys.stdout.write(_unified_diff(fx))
            err.write(f"Would fix {_plural(fixed)}.\n" if fixed else "No errors would be fixed.\n")
        return EXIT_FINDINGS if changed else EXIT_CLEAN
    failed = _write(changed, stdin)
    if stdin is not None:
        fx = report.files.get(stdin[0])
        sys.stdout.write(fx.text if fx is not None else stdin[1])
        sys.stdout.flush()
    if failed:
        return EXIT_ERROR
    out = sys.stderr if stdin is not None else sys.stdout
    if args.show_fixes and not args.silent:
        out.write(_render_fixes(report))
    if args.fix_only:
        if not args.silent and not args.quiet:
            out.write(f"Fixed {_plural(fixed)}.\n" if fixed else "No errors fixed.\n")
        return EXIT_FINDINGS if (fixed and args.exit_non_zero_on_fix) else EXIT_CLEAN
    if not args.silent:
        from .cli import _write_report

        shown = Report(remaining, len(fixable))
        text_of = (stdin[0], report.files[stdin[0]].text) if stdin is not None and stdin[0] in report.files else stdin
        _write_report(out, args, settings, shown, text_of, fixed=fixed)
    if remaining and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if (fixed and args.exit_non_zero_on_fix) else EXIT_CLEAN


def _write(changed, stdin) -> List[str]:
    """Write the changed files atomically; the paths that could not be written."""
    from ..codemods.writes import write_atomic

    failed = []
    for fx in changed:
        if stdin is not None and fx.source.path == stdin[0]:
            continue
        try:
            write_atomic(fx.source.path, fx.data())
        except OSError as exc:
            failed.append(fx.source.path)
            sys.stderr.write(f"jitlint: error: {fx.source.path}: cannot write the fixed file: "
                             f"{exc.strerror or exc}\n")
    return failed


def _unified_diff(fx) -> str:
    old = fx.source.text.splitlines(keepends=True)
    new = fx.text.splitlines(keepends=True)
    lines = list(difflib.unified_diff(old, new, fromfile=fx.source.path, tofile=fx.source.path))
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def _render_fixes(report) -> str:
    """ruff's ``--show-fixes`` block: per file, how many fixes of each rule were applied."""
    from .rules import rule_index

    index = rule_index()
    files = [fx for fx in sorted(report.files.values(), key=lambda f: f.source.path) if fx.applied]
    if not files:
        return "No errors fixed.\n"
    out = [f"Fixed {_plural(report.fixed)}:"]
    for fx in files:
        out.append(f"- {fx.source.path}:")
        for code, n in sorted(Counter(fx.applied).items()):
            rule = index.get(code)
            out.append(f"    {n} × {code} ({rule.name if rule else code})")
    return "\n".join(out) + "\n"


# The editor door (plugins/lsp_server.py): the same fix loop, on unsaved buffers.

def apply_fix(text: str, fix) -> str:
    """``text`` with one fix applied as the fix loop applies it (edits, imports, codemod);
    raises ValueError when its codemod refuses."""
    from ..codemods.fix_loop import rewrite
    from ..codemods.registry import CodemodFailed

    try:
        return rewrite(text, [fix])
    except CodemodFailed as exc:
        raise ValueError(str(exc)) from None


def fix_buffer(state, path: str, text: str, *, unsafe: bool = False):
    """The ``--fix`` loop over one unsaved buffer of an analysed project (``ProjectState``
    holding ``text``'s result for ``path``); the state is not changed. A ``FixReport``."""
    from ..codemods.fix_loop import fix_buffer as loop

    return loop(state, path, text, unsafe=unsafe)
