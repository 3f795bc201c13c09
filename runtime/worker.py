"""The process ``jitlint verify`` runs the user's code in (``python -P -m jitlint.runtime.worker SPEC``).

Keeping user code out of the CLI process means a hanging forward can be killed at the
timeout, a crash (segfault in an extension, ``sys.exit`` in a model file) cannot take the CLI
down, and the CLI itself never imports torch.  The worker:

0. imports torch and jitlint's verifier, then tells the parent it has started (a worker
   that dies before that - a shadowed or broken ``jitlint``/``torch`` - is reported as a
   start failure, not as a crash in the user's code).  It is started with ``-P``, so the
   working directory cannot shadow the installed ``jitlint``; the working directory is
   appended to ``sys.path`` afterwards, so the user's code can still import from it;
1. imports ``FILE.py`` the way ``python FILE.py`` / pytest would (its package root, or its
   directory, goes first on ``sys.path``), resolves ``NAME`` and calls it;
2. checks it returned ``(model, inputs)`` or a :class:`~jitlint.runtime.api.Case`;
3. runs :func:`~jitlint.runtime.api.verify` and writes the report as JSON to the file the
   spec names.

Everything the user's code prints goes to stderr (fd 1 is pointed at fd 2), so the CLI's
stdout carries only the report.  Progress lines are written to stderr with a marker the
parent recognises.  Failures to produce a target are reported as data, never as a
traceback; only the innermost user-code frame is kept, to say where it happened.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from typing import Any, Dict, Optional, Tuple

PROGRESS_MARKER = "\x1ejitlint-progress:"
STARTED_MARKER = "\x1ejitlint-started"

# result statuses
OK = "ok"
TARGET_ERROR = "target-error"  # cannot import / resolve / call NAME, or wrong return shape
INTERNAL_ERROR = "internal-error"


class TargetError(Exception):
    """The user's target cannot be turned into a (model, inputs) pair."""


def emit_progress(message: str) -> None:
    try:
        sys.__stderr__.write(f"{PROGRESS_MARKER}{message}\n")
        sys.__stderr__.flush()
    except (OSError, ValueError):
        pass


def module_name_for(path: str) -> Tuple[str, str]:
    """(dotted module name, sys.path entry) for a source file, honouring packages: a file in
    directories with ``__init__.py`` is imported as ``pkg.sub.module`` from the package's
    parent directory, so its relative imports work."""
    path = os.path.abspath(path)
    directory, filename = os.path.split(path)
    parts = [os.path.splitext(filename)[0]]
    while os.path.exists(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts), directory


def _user_frame(exc: BaseException, path: str) -> Optional[str]:
    """'file.py:12' of the innermost traceback frame in the user's file (or any frame
    outside jitlint) - enough to find the problem without showing a traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    here = os.path.dirname(os.path.abspath(__file__))
    best = None
    for frame in frames:
        if os.path.abspath(frame.filename) == path:
            best = frame
        elif best is None and not os.path.abspath(frame.filename).startswith(here):
            best = frame
    if best is None and isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}"
    return f"{best.filename}:{best.lineno}" if best else None


def _describe(exc: BaseException, path: str) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    where = _user_frame(exc, path)
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f"{exc.filename}:{exc.lineno}"
    lines = text.splitlines() or [text]
    first = lines[0] if len(lines[0]) <= 300 else lines[0][:297] + "..."
    return first + (f" (at {where})" if where else "")


def load_case(path: str, name: str):
    """Import ``path``, resolve ``name`` and return (model, inputs, options)."""
    from .api import Case

    if not os.path.isfile(path):
        raise TargetError(f"no such file: {path}")
    module_name, root = module_name_for(path)
    if root not in sys.path:
        sys.path.insert(0, root)
    emit_progress(f"importing {os.path.basename(path)}")
    try:
        module = importlib.import_module(module_name)
    except BaseException as exc:  # noqa: BLE001 - SystemExit in a model file included
        raise TargetError(f"cannot import {path}: {_describe(exc, path)}") from None
    obj: Any = module
    for part in name.split("."):
        if not hasattr(obj, part):
            raise TargetError(f"{os.path.basename(path)} has no attribute {name!r}")
        obj = getattr(obj, part)
    if not isinstance(obj, Case):
        if not callable(obj):
            raise TargetError(f"{name} is a {type(obj).__name__}, not a callable returning (model, inputs)")
        emit_progress(f"calling {name}()")
        try:
            obj = obj()
        except BaseException as exc:  # noqa: BLE001
            raise TargetError(f"{name}() raised {_describe(exc, path)}") from None
    if isinstance(obj, Case):
        model, inputs, options = obj.model, obj.inputs, dict(obj.options)
    elif isinstance(obj, (tuple, list)) and len(obj) == 2:
        model, inputs = obj
        options = {}
    else:
        raise TargetError(
            f"{name}() must return (model, [args_tuple, ...]) or a jitlint.runtime.Case, "
            f"got {type(obj).__name__}"
        )
    import torch

    if not (isinstance(model, torch.nn.Module) or callable(model)):
        raise TargetError(f"{name}(): the model must be an nn.Module or a function, got {type(model).__name__}")
    if isinstance(inputs, (torch.Tensor, str, bytes)) or not isinstance(inputs, (list, tuple)) or not inputs:
        raise TargetError(f"{name}(): inputs must be a non-empty list of argument tuples, got {type(inputs).__name__}")
    return model, inputs, options


def run(spec: Dict[str, Any]) -> Dict[str, Any]:
    from .api import verify

    try:
        model, inputs, options = load_case(spec["file"], spec["name"])
    except TargetError as exc:
        return {"status": TARGET_ERROR, "message": str(exc)}
    kwargs = {**options, **spec.get("verify_kwargs", {})}
    try:
        report = verify(model, inputs, progress=emit_progress, **kwargs)
    except (TypeError, ValueError) as exc:
        # verify()'s own argument checks (inputs shape, modes) - a usage problem
        return {"status": TARGET_ERROR, "message": f"{spec['name']}(): {exc}"}
    except BaseException as exc:  # noqa: BLE001 - must never surface as a traceback
        return {"status": INTERNAL_ERROR, "message": f"{type(exc).__name__}: {exc}"}
    report.target = f"{os.path.basename(spec['file'])}::{spec['name']} [{report.target}]"
    return {"status": OK, "report": report.to_dict()}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0]) as fh:
        spec = json.load(fh)
    # the user's prints must not corrupt the CLI's stdout (JSON output)
    try:
        sys.stdout.flush()
        os.dup2(2, 1)
    except OSError:
        pass
    # Anything failing here is the environment, not the user's code: let it propagate (the
    # parent reports "could not start" with the last stderr line).
    from . import api  # noqa: F401 - imports torch

    if spec.get("cwd"):
        os.chdir(spec["cwd"])
        # started with -P: the working directory is importable, but after installed packages
        cwd = os.path.abspath(spec["cwd"])
        if cwd not in sys.path:
            sys.path.append(cwd)
    try:
        sys.__stderr__.write(STARTED_MARKER + "\n")
        sys.__stderr__.flush()
    except (OSError, ValueError):
        pass
    try:
        result = run(spec)
    except BaseException as exc:  # noqa: BLE001
        result = {"status": INTERNAL_ERROR, "message": f"{type(exc).__name__}: {exc}"}
    with open(spec["result"], "w") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
