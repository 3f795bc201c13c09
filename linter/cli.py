"""``jitlint`` command line, following ruff's conventions.

    jitlint check [PATH ...] [--select ...] [--output-format ...]   lint
    jitlint rule CODE | --all                                       rule documentation
    jitlint server                                                  language server for editors (LSP, stdio)
    jitlint verify FILE.py::NAME                                    runtime proof (needs torch)
    jitlint fix PATH... --verify FILE.py::NAME                      fixes the runtime proves (needs torch)

Exit codes: 0 no findings, 1 findings, 2 usage error or crash. No traceback reaches the
user: unexpected errors are reported in one line (``JITLINT_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import List, Optional, Sequence

from .. import __version__
from .config import OUTPUT_FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's usage errors: exit 2, one clear line
        self.print_usage(sys.stderr)
        sys.stderr.write(f"jitlint: error: {message}\n")
        raise SystemExit(EXIT_ERROR)


def _codes(values: Optional[List[str]]) -> Optional[List[str]]:
    if values is None:
        return None
    out: List[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


class _ConfigAction(argparse.Action):
    """``--config PATH`` (a pyproject.toml or jitlint.toml), or ``--config 'KEY = VALUE'``: an
    argument that is not an existing file and parses as TOML overrides [tool.jitlint]
    (repeatable); anything else is taken as a path, so a missing file is reported as such."""

    def __call__(self, parser, namespace, value, option_string=None):
        from .config import parse_inline_config

        if not os.path.isfile(value) and parse_inline_config(value) is not None:
            overrides = list(getattr(namespace, "config_overrides", None) or [])
            namespace.config_overrides = overrides + [value]
        else:
            namespace.config = value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jitlint", description="Find what breaks torch.jit.script and what makes torch.jit.trace wrong, statically.")
    parser.add_argument("--version", action="version", version=f"jitlint {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = sub.add_parser("check", help="check files or directories")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .); '-' reads stdin")
    check.add_argument("--select", action="append", help="rule codes or prefixes to enable (e.g. JIT1,JIT302, ALL)")
    check.add_argument("--extend-select", action="append", help="codes or prefixes to enable in addition")
    check.add_argument("--ignore", action="append", help="codes or prefixes to disable")
    check.add_argument("--per-file-ignores", action="append", metavar="GLOB:CODES",
                       help="e.g. 'tests/*:JIT3' (repeatable)")
    check.add_argument("--exclude", action="append", help="glob patterns to exclude (replaces the defaults)")
    check.add_argument("--extend-exclude", action="append", help="glob patterns to exclude in addition")
    check.add_argument("--force-exclude", action="store_true",
                       help="apply exclude/extend-exclude to files named on the command line too (pre-commit)")
    check.add_argument("--no-respect-gitignore", action="store_true", help="check files .gitignore excludes")
    check.add_argument("--config", action=_ConfigAction, metavar="PATH | 'KEY = VALUE'",
                       help="path to a pyproject.toml or jitlint.toml, or an inline TOML override of "
                            "[tool.jitlint] such as 'select = [\"JIT1\"]' (repeatable)")
    check.set_defaults(config_overrides=[])
    check.add_argument("--output-format", choices=OUTPUT_FORMATS)
    check.add_argument("-o", "--output-file", metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--statistics", action="store_true",
                       help="count findings per rule instead of listing them (JSON with --output-format json)")
    check.add_argument("--silent", action="store_true", help="print nothing; report through the exit code only")
    check.add_argument("--show-files", action="store_true", help="list the files that would be checked, then exit")
    check.add_argument("--show-settings", action="store_true", help="print the resolved settings, then exit")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("-j", "--jobs", type=int, default=None,
                       help="worker processes (default: one per CPU when there is enough work; 1 forces one process; 0 = one per CPU)")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    check.add_argument("--cache-dir", help="where the cache lives (default .jitlint_cache in the project root)")
    check.add_argument("--stdin-filename", help="the name of the file read from stdin ('-')")
    check.add_argument("--modes", help="compilers your project uses: script,trace,export (default script,trace)")
    check.add_argument("--script-root", action="append", default=[], metavar="PATTERN",
                       help="treat matching functions/classes as passed to torch.jit.script (glob on qualified names)")
    check.add_argument("--trace-root", action="append", default=[], metavar="PATTERN",
                       help="treat matching functions/classes as passed to torch.jit.trace")
    check.add_argument("--trace-dynamic", metavar="DIMS",
                       help="what varies between a trace's example input and later calls, e.g. batch,sequence "
                            "(of batch, sequence/spatial, channels, rank, dtype, device, layout, autograd, training, "
                            "arguments; 'all', the default, reports every trace finding)")
    check.add_argument("--types", choices=("local", "mypy"), help="type inference: fast local (default) or mypy")
    check.add_argument("--python", metavar="PATH",
                       help="the interpreter whose import path dependency reach searches (default: this environment)")
    check.add_argument("--extra-search-path", action="append", default=[], metavar="DIR",
                       help="a folder searched for imported modules before the environment's (repeatable)")
    check.add_argument("--no-dependencies", action="store_true",
                       help="analyse only the given files: do not follow reached code into other files")
    check.add_argument("--show-dependency-findings-in-place", action="store_true",
                       help="report findings in dependency code at their own place too, not only at the call site")
    check.add_argument("--context", action="append", default=[], metavar="PATH",
                       help="also analyse PATH to learn what is compiled (who calls what), without reporting "
                            "its findings; the pre-commit hook passes the changed files plus --context .")
    check.add_argument("--fix", action="store_true", default=None,
                       help="apply safe fixes (config: fix = true); with --unsafe-fixes, unsafe ones too")
    check.add_argument("--no-fix", dest="fix", action="store_false", help="do not apply fixes (overrides the config)")
    check.add_argument("--unsafe-fixes", action="store_true", default=None,
                       help="also show and apply fixes that may change behaviour (config: unsafe-fixes = true)")
    check.add_argument("--no-unsafe-fixes", dest="unsafe_fixes", action="store_false",
                       help="show and apply safe fixes only (overrides the config)")
    check.add_argument("--diff", action="store_true",
                       help="print a unified diff of what --fix would change, write nothing (exit 1 on a change)")
    check.add_argument("--fix-only", action="store_true",
                       help="apply fixes and report what was fixed, not the findings that remain")
    check.add_argument("--show-fixes", action="store_true", help="list the fixes applied, per file and rule")
    check.add_argument("--exit-non-zero-on-fix", action="store_true",
                       help="exit 1 when a fix was applied, even if no finding remains")
    check.add_argument("--add-noqa", action="store_true",
                       help="append `# noqa: CODE` to every line with findings (merging into existing directives), then exit")
    check.add_argument("-w", "--watch", action="store_true",
                       help="run again whenever a checked file or the config changes (Ctrl-C to stop)")
    check.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary line")

    rule = sub.add_parser("rule", help="show a rule's documentation")
    rule.add_argument("code", nargs="?", help="rule code (JIT101) or name (try-statement)")
    rule.add_argument("--all", action="store_true", help="list every rule")
    rule.add_argument("--output-format", choices=("text", "json"), default="text")

    server = sub.add_parser("server", help="run the language server (LSP over stdin/stdout) for editors",
                            description="Serve the Language Server Protocol over stdin/stdout: diagnostics, "
                                        "quick fixes, fix all, noqa actions and rule docs on hover, for the "
                                        "workspace folders the editor opens (configured by their "
                                        "pyproject.toml/jitlint.toml). See docs/editors.md.")
    server.add_argument("--stdio", action="store_true", help="use stdin/stdout (the default and only transport)")

    verify = sub.add_parser("verify", help="prove a model scripts, traces, saves and matches eager (needs torch)",
                            add_help=False)
    verify.add_argument("rest", nargs=argparse.REMAINDER)
    fix = sub.add_parser("fix", help="apply only the fixes that `--verify FILE.py::NAME` targets prove (needs torch)",
                         add_help=False)
    fix.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "verify":
        return _run_verify(argv[1:])
    if argv and argv[0] == "fix":
        return _run_fix_verify(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            if args.watch:
                return _run_watch(parser, args)
            return run_check(args)
        if args.command == "rule":
            return run_rule(args)
        if args.command == "server":
            from ..plugins.lsp_server import main as serve

            return serve()
        parser.print_help()
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("jitlint: interrupted\n")
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no tracebacks
        from .config import ConfigError

        if isinstance(exc, ConfigError):
            sys.stderr.write(f"jitlint: error: {exc}\n")
            return EXIT_ERROR
        if os.environ.get("JITLINT_DEBUG"):
            raise
        sys.stderr.write(f"jitlint: internal error: {type(exc).__name__}: {exc} (set JITLINT_DEBUG=1 for a traceback)\n")
        return EXIT_ERROR


def _run_verify(argv: List[str]) -> int:
    try:
        from ..runtime.cli import main_verify
    except ImportError as exc:
        sys.stderr.write(f"jitlint verify needs the runtime extra (pip install 'jitlint[runtime]'): {exc}\n")
        return EXIT_ERROR
    return main_verify(argv)


def _run_fix_verify(argv: List[str]) -> int:
    try:
        from ..runtime.cli import main_fix
    except ImportError as exc:
        sys.stderr.write(f"jitlint fix needs the runtime extra (pip install 'jitlint[runtime]'): {exc}\n")
        return EXIT_ERROR
    return main_fix(argv)


def _settings_from_args(args):
    from .config import ConfigError, load_settings

    paths = [p for p in (args.paths or ["."]) if p != "-"]
    start = Path(paths[0]) if paths else Path(args.stdin_filename or ".")
    start = start if start.is_dir() else start.parent
    if not start.exists():
        start = Path(".")
    settings = load_settings(args.config, start)
    overrides = getattr(args, "config_overrides", None)
    if overrides:
        from .config import apply_inline_config

        settings = apply_inline_config(settings, overrides)
    changes = {}
    if args.select is not None:
        changes["select"] = _codes(args.select)
    if args.extend_select:
        changes["extend_select"] = settings.extend_select + _codes(args.extend_select)
    if args.ignore:
        changes["ignore"] = settings.ignore + _codes(args.ignore)
    if args.per_file_ignores:
        pfi = dict(settings.per_file_ignores)
        for item in args.per_file_ignores:
            glob, sep, codes = item.rpartition(":")
            if not sep or not glob:
                raise ConfigError(f"--per-file-ignores: expected GLOB:CODES, got {item!r}")
            pfi.setdefault(glob, []).extend(_codes([codes]))
        changes["per_file_ignores"] = pfi
    if args.exclude:
        changes["exclude"] = _codes(args.exclude)
    if args.extend_exclude:
        changes["extend_exclude"] = settings.extend_exclude + _codes(args.extend_exclude)
    if args.no_respect_gitignore:
        changes["respect_gitignore"] = False
    if args.force_exclude:
        changes["force_exclude"] = True
    if args.output_format:
        changes["output_format"] = args.output_format
    if args.modes:
        modes = _codes([args.modes])
        bad = [m for m in modes if m not in ("script", "trace", "export")]
        if bad:
            raise ConfigError(f"--modes: unknown mode {bad[0]!r} (expected script, trace and/or export)")
        changes["modes"] = modes
    if args.script_root:
        changes["script_roots"] = settings.script_roots + args.script_root
    if args.trace_root:
        changes["trace_roots"] = settings.trace_roots + args.trace_root
    if getattr(args, "trace_dynamic", None) is not None:
        from .config import trace_dynamic_value

        changes["trace_dynamic"] = trace_dynamic_value(_codes([args.trace_dynamic]), "--trace-dynamic")
    if args.types:
        changes["types"] = args.types
    if args.cache_dir:
        changes["cache_dir"] = args.cache_dir
    if getattr(args, "python", None):
        changes["python"] = args.python
    if getattr(args, "extra_search_path", None):
        changes["search_paths"] = settings.search_paths + [os.path.abspath(p) for p in args.extra_search_path]
    if getattr(args, "no_dependencies", False):
        changes["dependencies"] = False
    if getattr(args, "show_dependency_findings_in_place", False):
        changes["show_dependency_findings_in_place"] = True
    if getattr(args, "fix", None) is not None:
        changes["fix"] = args.fix
    if getattr(args, "unsafe_fixes", None) is not None:
        changes["unsafe_fixes"] = args.unsafe_fixes
    return replace(settings, **changes)


def _run_watch(parser, args) -> int:
    if "-" in (args.paths or []):
        parser.error("--watch cannot read stdin ('-')")
    for flag in ("add_noqa", "show_files", "show_settings"):
        if getattr(args, flag):
            parser.error(f"--watch cannot be combined with --{flag.replace('_', '-')}")
    from .watch import watch

    return watch(args, run_check)


def run_check(args) -> int:
    from .config import select_codes
    from .discovery import discover
    from .engine import check_files
    from .rules import rule_index

    settings = _settings_from_args(args)
    select_codes(settings, rule_index())  # validate selectors before doing any work
    paths = args.paths or ["."]
    stdin = None
    if "-" in paths:
        text = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
        stdin = (args.stdin_filename or "-", text)
        paths = [p for p in paths if p != "-"]
    if args.show_settings:
        sys.stdout.write(_render_settings(settings, select_codes(settings, rule_index())))
        return EXIT_CLEAN
    found = discover(paths, settings) if paths else None
    if found is not None and found.missing:
        for path in found.missing:
            sys.stderr.write(f"jitlint: error: {path}: no such file or directory\n")
        return EXIT_ERROR
    if args.show_files:
        listed = sorted(found.files if found is not None else [])
        if stdin is not None:
            listed.append(stdin[0])
        sys.stdout.write("".join(f"{f}\n" for f in listed))
        return EXIT_CLEAN
    jobs = None if args.jobs is None else args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    files = found.files if found is not None else []
    context_files: List[str] = []
    if args.context:
        ctx_found = discover(args.context, settings)
        if ctx_found.missing:
            for path in ctx_found.missing:
                sys.stderr.write(f"jitlint: error: --context {path}: no such file or directory\n")
            return EXIT_ERROR
        reported = {os.path.realpath(f) for f in files}
        context_files = [f for f in ctx_found.files if os.path.realpath(f) not in reported]
    for flag in ("diff", "fix_only", "add_noqa"):
        others = [o for o in ("diff", "fix_only", "add_noqa") if o != flag and getattr(args, o)]
        if getattr(args, flag) and others:
            from .config import ConfigError

            raise ConfigError(f"--{flag.replace('_', '-')} cannot be combined with --{others[0].replace('_', '-')}")
    if settings.fix or args.diff or args.fix_only:
        from .fixing import run_fix

        return run_fix(args, settings, files, context_files, stdin, jobs,
                       found.problems if found is not None else [])
    report = check_files(files + context_files, settings, jobs=jobs, use_cache=not args.no_cache, stdin=stdin,
                         context=context_files)
    if context_files:
        wanted = {os.path.realpath(f) for f in files}
        if stdin is not None:
            wanted.add(os.path.realpath(stdin[0]))
        report.findings = [f for f in report.findings if os.path.realpath(f.path) in wanted]
        report.files = len(files) + (1 if stdin is not None else 0)
    for path, problem in (found.problems if found is not None else []):
        if not args.silent:
            sys.stderr.write(f"jitlint: warning: {path}: {problem}\n")
    if args.add_noqa:
        from .add_noqa import add_noqa

        added = add_noqa(report.findings)
        if not args.silent:
            sys.stdout.write(f"Added {added} noqa directive{'' if added == 1 else 's'}.\n")
        return EXIT_CLEAN
    findings = report.findings
    code = EXIT_FINDINGS if findings and not args.exit_zero else EXIT_CLEAN
    if args.silent:
        return code
    if args.output_file:
        try:
            out = open(args.output_file, "w", encoding="utf-8")
        except OSError as exc:
            sys.stderr.write(f"jitlint: error: --output-file {args.output_file}: {exc.strerror}\n")
            return EXIT_ERROR
        with out:
            _write_report(out, args, settings, report, stdin)
        return code
    _write_report(sys.stdout, args, settings, report, stdin)
    return code


def _render_settings(settings, codes) -> str:
    """The resolved settings as [tool.jitlint] TOML (``--show-settings``)."""
    import json
    from dataclasses import fields

    def value(v):
        if isinstance(v, dict):
            return "{" + ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v.items()) + "}"
        if isinstance(v, bool):
            return "true" if v else "false"
        return json.dumps(v)

    out = [f"# Resolved settings (config file: {settings.config_path or 'none'})",
           f"# project root: {settings.project_root}", "[tool.jitlint]"]
    for f in fields(settings):
        v = getattr(settings, f.name)
        if f.name in ("config_path", "project_root"):
            continue
        key = f.name.replace("_", "-")
        out.append(f"# {key} = (default rule set)" if v is None and f.name == "select"
                   else f"# {key} = (unset)" if v is None else f"{key} = {value(v)}")
    out.append(f"# rules enabled ({len(codes)}): {', '.join(codes)}")
    return "\n".join(out) + "\n"


def fixable_summary(findings, unsafe: bool) -> str:
    """ruff's hint under the findings: how many ``--fix`` would fix, and the hidden unsafe ones."""
    safe = sum(1 for f in findings if f.fix is not None and f.fix.applicability == "safe")
    risky = sum(1 for f in findings if f.fix is not None and f.fix.applicability == "unsafe")
    out = ""
    if unsafe and safe + risky:
        out = f"[*] {safe + risky} fixable with the `--fix` option.\n"
    elif safe and risky:
        out = (f"[*] {safe} fixable with the `--fix` option ({risky} hidden fix{'es' if risky != 1 else ''}"
               " can be enabled with the `--unsafe-fixes` option).\n")
    elif safe:
        out = f"[*] {safe} fixable with the `--fix` option.\n"
    elif risky:
        out = (f"No fixes available ({risky} hidden fix{'es' if risky != 1 else ''} can be enabled with the "
               "`--unsafe-fixes` option).\n")
    return out


def _write_report(out, args, settings, report, stdin, fixed: int = 0) -> None:
    from .output import render
    from .output.formats import render_statistics, render_statistics_json, show_unsafe_fixes

    show_unsafe_fixes(settings.unsafe_fixes)

    findings = report.findings
    if args.statistics and settings.output_format == "json":
        out.write(render_statistics_json(findings))
    elif args.statistics:
        out.write(render_statistics(findings))
    else:
        sources = {}
        if settings.output_format == "full":
            for f in findings:
                if f.path not in sources:
                    try:
                        if stdin is not None and f.path == stdin[0]:
                            sources[f.path] = stdin[1].splitlines()
                        else:
                            with open(f.path, encoding="utf-8", errors="replace") as fh:
                                sources[f.path] = fh.read().splitlines()
                    except OSError:
                        sources[f.path] = []
        out.write(render(settings.output_format, findings, sources))
    if not args.quiet and settings.output_format in ("concise", "full", "grouped") and not args.statistics:
        if fixed:
            total = fixed + len(findings)
            out.write(f"Found {total} error{'' if total == 1 else 's'} ({fixed} fixed, {len(findings)} remaining).\n")
            out.write(fixable_summary(findings, settings.unsafe_fixes))
        elif findings:
            noun = "error" if len(findings) == 1 else "errors"
            checked = f"{report.files} file{'s' if report.files != 1 else ''} checked"
            out.write(f"Found {len(findings)} {noun} ({checked}).\n")
            out.write(fixable_summary(findings, settings.unsafe_fixes))
        else:
            out.write(f"All checks passed! ({report.files} file{'s' if report.files != 1 else ''})\n")
    out.flush()


def run_rule(args) -> int:
    import json

    from .output import rule_url
    from .rules import all_rules, rule_by_code_or_name

    if args.all:
        rules = all_rules()
        if args.output_format == "json":
            sys.stdout.write(json.dumps([
                {"code": c, "name": r.name, "family": c[:4], "summary": r.summary(), "default": r.default,
                 "fix": r.fix_safety, "url": rule_url(c, r.name)} for c, r in rules.items()
            ], indent=2) + "\n")
        else:
            for code, rule in rules.items():
                flag = "" if rule.default else " (opt-in)"
                sys.stdout.write(f"{code}  {rule.name}{flag}: {rule.summary()}\n")
        return EXIT_CLEAN
    if not args.code:
        sys.stderr.write("jitlint: error: `jitlint rule` needs a CODE or --all\n")
        return EXIT_ERROR
    try:
        rule = rule_by_code_or_name(args.code)
    except KeyError:
        sys.stderr.write(f"jitlint: error: unknown rule `{args.code}` (see `jitlint rule --all`)\n")
        return EXIT_ERROR
    if args.output_format == "json":
        sys.stdout.write(json.dumps({"code": rule.code, "name": rule.name, "message": rule.message,
                                     "explanation": rule.doc(), "default": rule.default,
                                     "fix": rule.fix_safety}, indent=2) + "\n")
    else:
        sys.stdout.write(f"# {rule.name} ({rule.code})\n\n")
        default = "enabled by default" if rule.default else "opt-in (enable with --extend-select " + rule.code + ")"
        sys.stdout.write(f"Derived from the compiler's behaviour in torch 2.13; {default}.\n\n")
        sys.stdout.write(rule.doc() + "\n")
    return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
