"""The process ``jitlint fix --verify`` runs one target in: :mod:`jitlint.runtime.worker` plus
what the fix verification needs to know besides the report.

On top of the verify worker's result (``status``, ``report`` or ``message``) it adds
``extra``:

* ``files``: the source files of every module the target's process imported from the
  watched roots (the scratch copy, and the user's own tree, which the copy must not reach):
  a fix in a file the target never imported cannot be proved by that target;
* ``eager``: eager Python's outputs on the target's inputs (the verifier's own seeded
  reference calls) are saved with ``torch.save`` to ``eager_out``; when ``eager_ref`` names
  the baseline's file, they are compared with it (structurally, with the verifier's CPU
  tolerances) and ``eager`` says whether they are unchanged and, if not, how they differ.

Bytecode is neither written nor read from the scratch copy (it is rewritten between runs
within the same second, which ``.pyc`` invalidation by mtime cannot see).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict, List, Optional

sys.dont_write_bytecode = True

from . import worker  # noqa: E402 - after dont_write_bytecode


def _loaded_files(roots: List[str]) -> List[str]:
    real_roots = [os.path.realpath(r) for r in roots if r]
    out = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path:
            continue
        path = os.path.realpath(path)
        if any(path == r or path.startswith(r + os.sep) for r in real_roots) and path not in out:
            out.append(path)
    return sorted(out)


def _eager_record(verifier) -> List[Dict[str, Any]]:
    calls = []
    for call in verifier.eager_calls:
        if call.ok:
            calls.append({"ok": True, "output": call.output, "args_after": call.args_after})
        else:
            calls.append({"ok": False, "error": f"{type(call.error).__name__}: {call.error}"[:300]})
    return calls


def compare_eager(reference: List[Dict[str, Any]], now: List[Dict[str, Any]]) -> Optional[str]:
    """None when eager behaves the same on every input, else one line saying how it differs."""
    from . import compare as cmp
    from .verifier import DEFAULT_ATOL, DEFAULT_RTOL

    if len(reference) != len(now):
        return f"the target now has {len(now)} input(s) instead of {len(reference)}"
    for index, (ref, cur) in enumerate(zip(reference, now)):
        if ref["ok"] and not cur["ok"]:
            return f"input #{index}: eager forward now raises {cur['error']}"
        if not ref["ok"] and cur["ok"]:
            return f"input #{index}: eager forward raised {ref['error']} before the fixes and returns now"
        if not ref["ok"]:
            continue
        for key, path in (("output", "output"), ("args_after", "args")):
            diffs = cmp.compare(ref[key], cur[key], rtol=DEFAULT_RTOL, atol=DEFAULT_ATOL, path=path)
            if diffs:
                d = diffs[0]
                return f"input #{index}: eager {d.describe()}"[:400]
    return None


def run(spec: Dict[str, Any]) -> Dict[str, Any]:
    import torch

    from .api import normalize_inputs
    from .compat import recorded_warnings
    from .verifier import DEVICES, MODES, Verifier

    roots = spec.get("watch_roots") or []
    try:
        model, inputs, options = worker.load_case(spec["file"], spec["name"])
    except worker.TargetError as exc:
        return {"status": worker.TARGET_ERROR, "message": str(exc), "extra": {"files": _loaded_files(roots)}}
    kwargs = {**options, **spec.get("verify_kwargs", {})}
    try:
        args_list = normalize_inputs(inputs)
        verifier = Verifier(
            model, args_list, modes=tuple(kwargs.get("modes", MODES)), devices=tuple(kwargs.get("devices", DEVICES)),
            save_load=kwargs.get("save_load", True), rtol=kwargs.get("rtol"), atol=kwargs.get("atol"),
            trace_kwargs=dict(kwargs.get("trace_kwargs") or {}), static_check=kwargs.get("static_check", True),
            seed=kwargs.get("seed", 0), timeout=kwargs.get("timeout", 600), progress=worker.emit_progress,
        )
        with recorded_warnings() as caught:
            verifier.caught = caught
            report = verifier.run()
        from .api import _forward_user_warnings

        _forward_user_warnings(caught, report)
    except (TypeError, ValueError) as exc:
        return {"status": worker.TARGET_ERROR, "message": f"{spec['name']}(): {exc}",
                "extra": {"files": _loaded_files(roots)}}
    except BaseException as exc:  # noqa: BLE001 - must never surface as a traceback
        return {"status": worker.INTERNAL_ERROR, "message": f"{type(exc).__name__}: {exc}"}
    report.target = f"{os.path.basename(spec['file'])}::{spec['name']} [{report.target}]"
    extra: Dict[str, Any] = {"files": _loaded_files(roots), "eager": {"saved": False, "changed": None}}
    record = _eager_record(verifier)
    if spec.get("eager_out"):
        try:
            torch.save(record, spec["eager_out"])
            extra["eager"]["saved"] = True
        except Exception as exc:  # noqa: BLE001 - outputs torch.save cannot pickle
            extra["eager"]["error"] = f"eager outputs could not be saved: {type(exc).__name__}: {exc}"[:300]
    if spec.get("eager_ref"):
        try:
            reference = torch.load(spec["eager_ref"], weights_only=False)
        except Exception as exc:  # noqa: BLE001
            extra["eager"]["error"] = f"the baseline's eager outputs could not be read: {type(exc).__name__}: {exc}"[:300]
        else:
            try:
                extra["eager"]["changed"] = compare_eager(reference, record)
                extra["eager"]["compared"] = True
            except Exception as exc:  # noqa: BLE001
                extra["eager"]["error"] = f"eager outputs could not be compared: {type(exc).__name__}: {exc}"[:300]
    return {"status": worker.OK, "report": report.to_dict(), "extra": extra}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0]) as fh:
        spec = json.load(fh)
    try:
        sys.stdout.flush()
        os.dup2(2, 1)
    except OSError:
        pass
    from . import api  # noqa: F401 - imports torch

    if spec.get("cwd"):
        os.chdir(spec["cwd"])
        cwd = os.path.abspath(spec["cwd"])
        if cwd not in sys.path:
            sys.path.append(cwd)
    try:
        sys.__stderr__.write(worker.STARTED_MARKER + "\n")
        sys.__stderr__.flush()
    except (OSError, ValueError):
        pass
    try:
        result = run(spec)
    except BaseException as exc:  # noqa: BLE001
        result = {"status": worker.INTERNAL_ERROR, "message": f"{type(exc).__name__}: {exc}"}
    with open(spec["result"], "w") as fh:
        json.dump(result, fh, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
