"""``jitlint verify FILE.py::NAME [...]``: the command-line face of :func:`jitlint.runtime.verify`.

``NAME`` is a callable in ``FILE.py`` returning ``(model, [args_tuple, ...])`` or a
:class:`jitlint.runtime.Case`.  Each target is verified in a worker process
(:mod:`jitlint.runtime.worker`) so the user's code can be killed at ``--timeout`` and can
never crash the CLI; this module itself does not import torch.

Exit codes: 0 every target verified, 1 a check failed (or a target timed out / crashed),
2 usage error, a target that cannot be imported or does not return the expected shape, or a
worker process that could not start (jitlint or torch not importable in it).
No traceback reaches the user.

The top-level ``jitlint`` CLI dispatches ``jitlint verify ...`` here via
``main_verify(argv)``; until then, ``python -m jitlint.runtime.cli ...`` (or
``python -m jitlint.runtime ...``) runs it directly.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
DEFAULT_TIMEOUT = 600.0

PROGRESS_MARKER = "\x1ejitlint-progress:"  # same as worker.PROGRESS_MARKER (not imported: keeps this light)
STARTED_MARKER = "\x1ejitlint-started"  # same as worker.STARTED_MARKER

# Python < 3.11 has no -P: drop the script directory ('' for -c) and the working directory
# from sys.path before importing the worker, as -P would.
_SAFE_PATH_PRELUDE = (
    "import os, runpy, sys\n"
    "_cwd = os.path.realpath(os.getcwd())\n"
    "sys.path[:] = [p for p in sys.path if p not in ('', '.') and os.path.realpath(p) != _cwd]\n"
    "runpy.run_module({module!r}, run_name='__main__', alter_sys=True)\n"
)

WORKER_MODULE = "jitlint.runtime.worker"


def worker_command(spec_path: str, module: str = WORKER_MODULE) -> List[str]:
    """The worker's command line.  ``-m`` alone would put the working directory first on
    ``sys.path``, so a folder there named ``jitlint`` (or ``torch``...) would shadow the
    installed package; ``-P`` (or its equivalent before 3.11) keeps it off.  The worker
    imports the user's file by path and then makes the working directory importable
    (after the installed packages) itself."""
    if sys.version_info >= (3, 11):
        return [sys.executable, "-P", "-m", module, spec_path]
    return [sys.executable, "-c", _SAFE_PATH_PRELUDE.format(module=module), spec_path]


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main_verify`` returns its code."""

    def error(self, message):  # noqa: D401 - argparse API
        raise _UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="jitlint verify",
        description=(
            "Script, trace, run, compare, save and reload a model under TorchScript and report what "
            "differs from eager PyTorch, labelled with jitlint rule codes."
        ),
        epilog="NAME is a callable in FILE.py returning (model, [args_tuple, ...]) or a jitlint.runtime.Case.",
    )
    parser.add_argument("targets", nargs="+", metavar="FILE.py::NAME", help="what to verify")
    parser.add_argument("--mode", choices=("script", "trace", "all"), default="all",
                        help="compiler(s) to verify (default: all)")
    parser.add_argument("--device", choices=("cpu", "cuda", "all"), default="all",
                        help="device(s) to verify on; CUDA is skipped with a note when unavailable (default: all)")
    parser.add_argument("--no-save-load", action="store_true",
                        help="skip torch.jit.save and the fresh-process torch.jit.load")
    parser.add_argument("--rtol", type=float, default=None, help="relative tolerance (default 1e-5, CUDA 1e-3)")
    parser.add_argument("--atol", type=float, default=None, help="absolute tolerance (default 1e-5, CUDA 1e-4)")
    parser.add_argument("--output-format", choices=("text", "json"), default="text")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"kill a target's run after this many seconds (default {DEFAULT_TIMEOUT:.0f})")
    parser.add_argument("--no-static-check", action="store_true",
                        help="do not cross-check runtime failures against `jitlint check`")
    parser.add_argument("--no-progress", action="store_true", help="no progress indicator on stderr")
    parser.add_argument("--export", action="store_true",
                        help="also torch.export.export the model (dims that differ between inputs dynamic), run, "
                             "compare and reload it (JIT6xx)")
    parser.add_argument("--cpp", action="store_true",
                        help="also load the saved archives with torch::jit::load in C++ (libtorch of the torch wheel; "
                             "built once, needs a C++ compiler) and compare")
    return parser


@dataclass
class Target:
    spec: str
    file: str
    name: str


def parse_target(text: str) -> Target:
    if "::" not in text:
        raise _UsageError(f"target {text!r} must look like FILE.py::NAME")
    file, _, name = text.rpartition("::")
    if not file or not name:
        raise _UsageError(f"target {text!r} must look like FILE.py::NAME")
    if not name.replace(".", "").replace("_", "").isalnum() or name[0].isdigit():
        raise _UsageError(f"target {text!r}: {name!r} is not a Python name")
    if not os.path.isfile(file):
        raise _UsageError(f"target {text!r}: no such file {file!r}")
    return Target(text, os.path.abspath(file), name)


# ---------------------------------------------------------------------------------------
# progress
# ---------------------------------------------------------------------------------------


class Progress:
    """One status line on stderr: rewritten in place on a terminal, one line per step
    otherwise (CI logs)."""

    def __init__(self, enabled: bool, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.last = ""
        self.started = time.monotonic()
        self._dirty = False
        self._lock = threading.Lock()

    def update(self, target: str, message: str) -> None:
        self.last = message
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        text = f"[jitlint verify {elapsed:5.1f}s] {target}: {message}"
        with self._lock:
            if self.tty:
                self.stream.write("\r\x1b[K" + text[:150])
                self._dirty = True
            else:
                self.stream.write(text + "\n")
            self.stream.flush()

    def passthrough(self, line: str) -> None:
        """A line the user's code printed: shown as is, above the status line."""
        with self._lock:
            self.clear_locked()
            self.stream.write(line)
            self.stream.flush()

    def clear(self) -> None:
        with self._lock:
            self.clear_locked()

    def clear_locked(self) -> None:
        if self.tty and self._dirty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._dirty = False


# ---------------------------------------------------------------------------------------
# running one target
# ---------------------------------------------------------------------------------------


@dataclass
class Outcome:
    target: Target
    status: str  # ok | target-error | start-error | internal-error | timeout | crashed
    report: Optional[Dict[str, Any]] = None
    message: Optional[str] = None
    extra: Optional[Dict[str, Any]] = None  # what a worker other than verify's adds (fix --verify)

    @property
    def exit_code(self) -> int:
        if self.status == "ok":
            return EXIT_OK if self.report and self.report.get("ok") else EXIT_FAILED
        if self.status in ("target-error", "start-error"):
            return EXIT_USAGE
        return EXIT_FAILED


def _kill_tree(proc: subprocess.Popen) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        try:
            proc.kill()
        except OSError:
            pass


def run_target(target: Target, verify_kwargs: Dict[str, Any], timeout: float, progress: Progress, *,
               module: str = WORKER_MODULE, extra: Optional[Dict[str, Any]] = None,
               cwd: Optional[str] = None) -> Outcome:
    """Verify one target in a worker process.  ``module`` is the worker to run (``jitlint fix
    --verify`` runs :mod:`jitlint.runtime.fix_worker`), ``extra`` more keys of its spec, ``cwd``
    the working directory the user's code sees (default: ours)."""
    workdir = tempfile.mkdtemp(prefix="jitlint_cli_")
    spec_path = os.path.join(workdir, "spec.json")
    result_path = os.path.join(workdir, "result.json")
    with open(spec_path, "w") as fh:
        json.dump({"file": target.file, "name": target.name, "verify_kwargs": verify_kwargs,
                   "result": result_path, "cwd": cwd or os.getcwd(), **(extra or {})}, fh)
    progress.update(target.spec, "starting")
    popen_kwargs = {"start_new_session": True} if hasattr(os, "setsid") else {}
    try:
        proc = subprocess.Popen(
            worker_command(spec_path, module),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            **popen_kwargs,
        )
    except OSError as exc:
        return Outcome(target, "crashed", message=f"could not start a Python process: {exc}")

    # Until the worker says it has started (jitlint and torch imported, no user code run
    # yet), its stderr is held back: a start failure is a traceback we summarise instead.
    started = threading.Event()
    early: List[str] = []

    def pump():
        for raw in iter(proc.stderr.readline, b""):
            line = raw.decode("utf-8", "replace")
            if not started.is_set():
                if line.startswith(STARTED_MARKER):
                    started.set()
                    for held in early:
                        progress.passthrough(held)
                    early.clear()
                else:
                    early.append(line)
            elif line.startswith(PROGRESS_MARKER):
                progress.update(target.spec, line[len(PROGRESS_MARKER):].strip())
            else:
                progress.passthrough(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        proc.wait(timeout=timeout)
    except KeyboardInterrupt:
        # the worker runs in its own session, so Ctrl-C reached only us: take it down too
        _kill_tree(proc)
        proc.wait()
        _remove(workdir)
        raise
    except subprocess.TimeoutExpired:
        _kill_tree(proc)
        proc.wait()
        reader.join(timeout=2)
        progress.clear()
        return Outcome(target, "timeout", message=(
            f"timed out after {timeout:g}s while {progress.last or 'starting'}; the process running "
            "the model was killed (raise --timeout if the model is just slow)"))
    reader.join(timeout=5)
    progress.clear()
    try:
        if os.path.exists(result_path):
            with open(result_path) as fh:
                result = json.load(fh)
        elif not started.is_set():
            last = next((line.strip() for line in reversed(early) if line.strip()), None)
            return Outcome(target, "start-error", message=(
                f"the worker process could not start: {last or f'it exited with code {proc.returncode}'}"))
        elif proc.returncode and proc.returncode < 0:
            return Outcome(target, "crashed", message=(
                f"the process running the model died with signal {-proc.returncode} while {progress.last}"))
        else:
            return Outcome(target, "crashed", message=(
                f"the process running the model exited with code {proc.returncode} while {progress.last} "
                "without producing a report (does the model file call sys.exit or os._exit?)"))
    finally:
        _remove(workdir)
    status = result.get("status")
    if status == "ok":
        return Outcome(target, "ok", report=result["report"], extra=result.get("extra"))
    return Outcome(target, status or "internal-error", message=result.get("message"), extra=result.get("extra"))


def _remove(path: str) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def render_outcome_text(outcome: Outcome) -> str:
    if outcome.status == "ok":
        from .report import Report

        return Report.from_dict(outcome.report).render_text()
    label = {"target-error": "error", "start-error": "error", "internal-error": "internal error", "timeout": "timeout",
             "crashed": "crashed"}.get(outcome.status, outcome.status)
    text = f"jitlint verify {outcome.target.spec}: {label}: {outcome.message}"
    if outcome.status == "internal-error":
        text += "\n(this is a bug in jitlint verify; please report it with the model that triggers it)"
    return text


def render_json(outcomes: Sequence[Outcome], exit_code: int) -> str:
    items = []
    for o in outcomes:
        item: Dict[str, Any] = {"target": o.target.spec, "status": o.status, "exit_code": o.exit_code}
        if o.report is not None:
            item["report"] = o.report
        if o.message:
            item["message"] = o.message
        items.append(item)
    return json.dumps(_json_safe({"tool": "jitlint verify", "exit_code": exit_code, "targets": items}), indent=2)


def verify_kwargs_from(args: argparse.Namespace) -> Dict[str, Any]:
    kwargs: Dict[str, Any] = {
        "modes": ["script", "trace"] if args.mode == "all" else [args.mode],
        "devices": ["cpu", "cuda"] if args.device == "all" else [args.device],
        "save_load": not args.no_save_load,
        "timeout": args.timeout,
    }
    if getattr(args, "export", False):
        kwargs["export"] = True
    if getattr(args, "cpp", False):
        kwargs["cpp"] = True
    if args.rtol is not None:
        kwargs["rtol"] = args.rtol
    if args.atol is not None:
        kwargs["atol"] = args.atol
    if args.no_static_check:
        kwargs["static_check"] = False
    return kwargs


def main_verify(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``jitlint verify`` with ``argv`` (the arguments after ``verify``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        if any(a in ("-h", "--help") for a in argv):
            parser.print_help(sys.stdout)
            return EXIT_OK
        args = parser.parse_args(argv)
        for value, flag in ((args.timeout, "--timeout"), (args.rtol, "--rtol"), (args.atol, "--atol")):
            if value is not None and (not math.isfinite(value) or value < 0 or (flag == "--timeout" and value == 0)):
                raise _UsageError(f"{flag} must be a positive number")
        targets = [parse_target(t) for t in args.targets]
    except _UsageError as exc:
        sys.stderr.write(parser.format_usage())
        sys.stderr.write(f"jitlint verify: error: {exc}\n")
        return EXIT_USAGE
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        sys.stderr.write("jitlint verify: error: torch is not installed in this Python "
                         "(pip install 'jitlint[runtime]')\n")
        return EXIT_USAGE
    progress = Progress(enabled=not args.no_progress)
    kwargs = verify_kwargs_from(args)
    outcomes: List[Outcome] = []
    try:
        for target in targets:
            outcome = run_target(target, kwargs, args.timeout, progress)
            outcomes.append(outcome)
            if args.output_format == "text":
                stream = sys.stdout if outcome.status == "ok" else sys.stderr
                stream.write(render_outcome_text(outcome) + "\n")
                if len(targets) > 1:
                    stream.write("\n")
                stream.flush()
    except KeyboardInterrupt:
        progress.clear()
        sys.stderr.write("jitlint verify: interrupted\n")
        return 130
    exit_code = max((o.exit_code for o in outcomes), default=EXIT_OK)
    if args.output_format == "json":
        sys.stdout.write(render_json(outcomes, exit_code) + "\n")
    return exit_code


def main_fix(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``jitlint fix ... --verify FILE.py::NAME`` (the arguments after ``fix``); see
    :mod:`jitlint.runtime.fix_verify`.  Like ``verify``, it does not import torch here."""
    from .fix_verify import main_fix as run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main_verify())
