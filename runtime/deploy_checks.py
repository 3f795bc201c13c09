"""``verify --export`` and ``verify --cpp``: deployment beyond a Python process.

``run_export`` exports the target with ``torch.export.export`` (non-strict, the default), the
dims that differ between the inputs marked ``Dim.AUTO``, runs the ExportedProgram on every
input and compares with eager, then ``torch.export.save``s it and loads it in a fresh Python
process (``torch.export.load``) that runs the inputs again. Failures carry JIT6xx codes: the
linter's findings in export mode at the failing line (or in the model's files), else what the
message says.

``run_cpp`` loads every archive verify saved (script, trace) in a C++ program built against
the wheel's libtorch (see :mod:`jitlint.runtime.cpp_load`) and compares its outputs with eager.
Both add rows to the same report: ``export/cpu`` and ``cpp:script/cpu``, ``cpp:trace/cpu``.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
import time
import traceback
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

from . import compare as cmp
from . import cpp_load, diagnostics
from .report import FAIL, PASS, SKIP, Cause, Location, ModeResult, Problem

EXPORT = "export"
_NAMES = {
    "JIT601": "export-tensor-value-branch", "JIT602": "export-item-branch", "JIT603": "export-size-branch",
    "JIT604": "export-size-loop", "JIT605": "export-size-to-python", "JIT606": "export-state-mutation",
    "JIT607": "export-numpy-call", "JIT608": "export-python-rng",
}
_GUARD_CODES = ("JIT603", "JIT604", "JIT605")


# -- dynamic dims ------------------------------------------------------------------------


def dynamic_spec(inputs: Sequence[tuple]) -> Tuple[int, tuple, List[str]]:
    """(index of the example input, ``dynamic_shapes``, notes): a dim of a Tensor argument is
    dynamic (``Dim.AUTO``) when its size differs between the inputs. The example is the first
    input with no dynamic dim of size 0 or 1 (export specialises those)."""
    from torch.export import Dim

    first = inputs[0]
    spec: List[Optional[Dict[int, Any]]] = []
    dims: List[Tuple[int, int]] = []
    for pos, arg in enumerate(first):
        if not isinstance(arg, torch.Tensor):
            spec.append(None)
            continue
        varying = {}
        for d in range(arg.dim()):
            sizes = {a[pos].shape[d] for a in inputs
                     if len(a) > pos and isinstance(a[pos], torch.Tensor) and a[pos].dim() == arg.dim()}
            if len(sizes) > 1:
                varying[d] = Dim.AUTO
                dims.append((pos, d))
        spec.append(varying or None)
    notes: List[str] = []
    example = 0
    if dims:
        fine = [i for i, a in enumerate(inputs) if all(a[p].shape[d] > 1 for p, d in dims)]
        if fine:
            example = fine[0]
        else:
            notes.append("export: every input has size 0 or 1 in a dynamic dim, which torch.export specialises; "
                         "pass an input with sizes >= 2 there")
        shown = ", ".join(f"arg {p} dim {d}" for p, d in dims)
        notes.append(f"export: dynamic dims (sizes differ between inputs): {shown}; example input {example}")
    elif len(inputs) == 1:
        notes.append("export: one input, so every dim is static; pass inputs of other sizes to test dynamic shapes")
    return example, tuple(spec), notes


# -- static findings (export mode) --------------------------------------------------------


def static_export_findings(paths: Sequence[str]) -> List[Tuple[str, str, int]]:
    """(code, file, row) of the linter's JIT6xx findings in ``paths``; [] when unavailable."""
    if not paths:
        return []
    try:
        from dataclasses import replace
        from pathlib import Path

        from ..linter.api import check_paths, load_settings

        settings = load_settings(None, Path(paths[0]).resolve().parent)
        settings = replace(settings, select=["JIT6"], modes=["export"])
        findings = check_paths(list(paths), settings)
    except Exception:  # noqa: BLE001 - the linter failing must not fail verify
        return []
    return [(f.code, os.path.abspath(str(f.path)), int(f.row)) for f in findings if str(f.code).startswith("JIT6")]


@contextlib.contextmanager
def _quiet_torch_logs():
    """torch.export logs shape-guard warnings and prints the partial graph to sys.stderr when it
    fails: the report says what failed, where."""
    loggers = [logging.getLogger(name) for name in list(logging.Logger.manager.loggerDict)
               if name == "torch" or name.startswith("torch.")]
    levels = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        for lg, level in levels:
            lg.setLevel(level)


def _user_frame(exc: BaseException, files: Sequence[str]) -> Optional[Location]:
    wanted = {os.path.abspath(f) for f in files}
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename) in wanted:
            found = Location(os.path.abspath(frame.filename), frame.lineno or 0, (frame.line or "").strip())
    return found


def _cause(code: str, file: str, row: int, why: str) -> Cause:
    return Cause(code, _NAMES.get(code), "jitlint check --modes export", why, Location(file, row))


# -- verify --export ----------------------------------------------------------------------


def run_export(v, workdir: str) -> ModeResult:
    """The ``export/cpu`` row of verifier ``v``'s report."""
    started = time.perf_counter()
    result = ModeResult(EXPORT, "cpu")
    result.set("state", SKIP)
    try:
        _run_export(v, result, workdir)
    except Exception as exc:  # noqa: BLE001 - a bug in jitlint must not hide the other results
        result.add(Problem(check="compare", severity=FAIL,
                           summary=f"jitlint could not complete this check: internal error {type(exc).__name__}: {exc}"))
    result.seconds = time.perf_counter() - started
    return result


def _run_export(v, result: ModeResult, workdir: str) -> None:
    if not v.is_module:
        result.skipped_reason = "torch.export.export takes an nn.Module; the target is a function"
        return
    v.progress("export: torch.export.export")
    example_index, dynamic_shapes, notes = dynamic_spec(v.inputs)
    v.report.notes.extend(notes)
    findings = static_export_findings(v.source_files)
    subject = v.fresh()
    example = cmp.clone_args(v.inputs[example_index])
    try:
        torch.manual_seed(v.seed)
        with _quiet_torch_logs():
            exported = torch.export.export(subject, example, dynamic_shapes=dynamic_shapes)
    except Exception as exc:  # noqa: BLE001 - every export failure is a finding
        result.add(_export_problem(exc, v.source_files, findings))
        for check in ("run", "compare", "save_load"):
            result.set(check, SKIP)
        return
    result.set("compile", PASS)
    # saved before anything runs: the program shares its buffers with ``exported``, and a forward
    # that updates a buffer in place would otherwise save the state after the in-process runs
    saved = _save(exported, workdir) if v.save_load else None
    program = exported.module()
    rtol, atol = v.tolerances("cpu")
    guard_causes = [_cause(c, f, r, "installs a guard on a dynamic dim") for c, f, r in findings if c in _GUARD_CODES]
    value_causes = [_cause(c, f, r, "frozen at export time") for c, f, r in findings if c in ("JIT606", "JIT608")]
    outputs: Dict[int, Any] = {}
    for index, args in enumerate(v.inputs):
        eager = v.eager_calls[index]
        try:
            out = v.call(program, cmp.clone_args(args), index)
        except Exception as exc:  # noqa: BLE001
            if not eager.ok:
                continue
            lines = diagnostics.runtime_error_lines(str(exc))
            guard = "Guard failed" in str(exc) or "guard" in str(exc).lower()
            code = guard_causes[0].code if guard and guard_causes else None
            result.add(Problem(
                check="run", severity=FAIL, input_index=index,
                summary=f"the exported program raised {type(exc).__name__}: {lines[0] if lines else ''}"[:300],
                details=lines[1:] + ([] if not guard else [
                    "torch.export specialised or guarded a dim for the example input; this input breaks the guard"]),
                code=code, rule=_NAMES.get(code or ""), error_type=type(exc).__name__,
                causes=guard_causes if guard else [],
            ))
            continue
        if not eager.ok:
            continue
        outputs[index] = cmp.detach_clone(out)
        diffs = cmp.compare(eager.output, outputs[index], rtol=rtol, atol=atol)
        diffs = [d for d in diffs if d.kind != "requires_grad"]
        if diffs:
            code = value_causes[0].code if value_causes else None
            result.add(Problem(
                check="compare", severity=FAIL, input_index=index, output_path=diffs[0].path,
                summary=f"exported program differs from eager: {diffs[0].describe()}",
                details=[d.describe() for d in diffs[1:4]], max_abs_diff=cmp.largest_difference(diffs),
                code=code, rule=_NAMES.get(code or ""), causes=value_causes,
            ))
    result.set("run", PASS)
    result.set("compare", PASS)
    if saved is not None:
        _reload(v, result, saved, outputs, workdir)
    else:
        result.set("save_load", SKIP)


def _export_problem(exc: BaseException, files: Sequence[str], findings) -> Problem:
    message = str(exc)
    where = _user_frame(exc, files)
    at_line = [c for c, f, r in findings if where is not None and f == where.file and r == where.line]
    if at_line:
        code: Optional[str] = at_line[0]
    elif "GuardOnDataDependentSymNode" in type(exc).__name__ + message or "data-dependent" in message:
        text = where.text if where is not None and where.text else ""
        code = "JIT602" if any(s in text for s in (".item(", "int(", "float(", "bool(")) else "JIT601"
    elif ".numpy()" in message:
        code = "JIT607"
    else:
        code = None
    lines = diagnostics.key_lines(message)
    return Problem(
        check="compile", severity=FAIL,
        summary=f"torch.export.export failed: {type(exc).__name__}: {lines[0] if lines else ''}"[:300],
        code=code, rule=_NAMES.get(code or ""), error_type=type(exc).__name__, details=lines[1:4],
        location=where, excerpt=[where.text] if where is not None and where.text else [],
    )


_RELOAD = r"""
import json, sys, torch
path, inputs_file, outputs_file, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
try:
    program = torch.export.load(path).module()
except Exception as exc:
    json.dump({"error": f"{type(exc).__name__}: {exc}"[:500]}, open(outputs_file + ".json", "w"))
    sys.exit(0)
outs = []
for i, args in enumerate(torch.load(inputs_file, weights_only=False)):
    torch.manual_seed(seed + i)
    try:
        outs.append(("ok", program(*args)))
    except Exception as exc:
        outs.append(("error", f"{type(exc).__name__}: {exc}"[:300]))
torch.save(outs, outputs_file)
json.dump({"error": None}, open(outputs_file + ".json", "w"))
"""


def _save(exported, workdir: str) -> Tuple[str, Optional[str]]:
    """(path, error): ``torch.export.save`` of the freshly exported program."""
    path = os.path.join(workdir, "export.pt2")
    try:
        torch.export.save(exported, path)
    except Exception as exc:  # noqa: BLE001
        return path, f"torch.export.save failed: {type(exc).__name__}: {diagnostics.first_line(str(exc))}"
    return path, None


def _reload(v, result: ModeResult, saved: Tuple[str, Optional[str]], outputs: Dict[int, Any], workdir: str) -> None:
    path, save_error = saved
    if save_error:
        result.add(Problem(check="save_load", severity=FAIL, summary=save_error))
        return
    v.progress("export: torch.export.load in a fresh process")
    inputs_file = os.path.join(workdir, "export_inputs.pt")
    outputs_file = os.path.join(workdir, "export_outputs.pt")
    torch.save([cmp.clone_args(a) for a in v.inputs], inputs_file)
    try:
        subprocess.run([sys.executable, "-c", _RELOAD, path, inputs_file, outputs_file, str(v.seed)],
                       capture_output=True, text=True, timeout=v.timeout, cwd=workdir)
        with open(outputs_file + ".json") as fh:
            error = json.load(fh)["error"]
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        error = f"the fresh process failed: {type(exc).__name__}: {exc}"
    if error:
        result.add(Problem(check="save_load", severity=FAIL, summary=f"torch.export.load in a fresh process failed: {error}"))
        return
    rtol, atol = v.tolerances("cpu")
    for index, (kind, value) in enumerate(torch.load(outputs_file, weights_only=False)):
        if kind != "ok" or index not in outputs:
            continue  # errors of the in-process run are reported there
        diffs = [d for d in cmp.compare(outputs[index], value, rtol=rtol, atol=atol) if d.kind != "requires_grad"]
        if diffs:
            result.add(Problem(check="save_load", severity=FAIL, input_index=index,
                               summary="the reloaded exported program differs from the in-process one: "
                               + diffs[0].describe()))
    result.set("save_load", PASS)


# -- verify --cpp -------------------------------------------------------------------------


def run_cpp(v, workdir: str) -> List[ModeResult]:
    """One ``cpp:<mode>/<device>`` row per archive verify saved."""
    if not v.artifacts:
        compiled = [r for r in v.report.results if r.mode in ("script", "trace")]
        if not v.save_load:
            why = "--no-save-load"
        elif compiled and all(r.skipped_reason for r in compiled):
            why = "every mode/device was skipped"
        else:
            why = "compiling or torch.jit.save failed"
        v.report.notes.append(f"cpp: no saved TorchScript archive to load ({why}): C++ load check not run")
        return []
    build = cpp_load.build_loader(v.progress)
    rows = []
    for artifact, source in v.artifacts:
        result = ModeResult(f"cpp:{source.mode}", artifact.device)
        result.set("state", SKIP)
        if build.path is None:
            if build.skipped:
                result.skipped_reason = build.skipped
            else:
                result.add(Problem(check="compile", severity=FAIL, summary=build.error or "no loader"))
            rows.append(result)
            continue
        result.set("compile", PASS)
        v.progress(f"cpp: torch::jit::load {source.name} in C++")
        run = cpp_load.run_model(build.path, artifact.path, [cmp.clone_args(a) for a in v.inputs], workdir,
                                 device=artifact.device, timeout=v.timeout)
        result.seconds = run.seconds
        if not run.ok:
            result.add(Problem(check="save_load", severity=FAIL, summary=f"torch::jit::load in C++ failed: {run.error}"))
            for check in ("run", "compare"):
                result.set(check, SKIP)
            rows.append(result)
            continue
        result.set("save_load", PASS)
        rtol, atol = v.tolerances(artifact.device)
        for index, (kind, value) in enumerate(run.outputs):
            eager = v.eager_calls[index]
            if kind == "error":
                if eager.ok:
                    lines = diagnostics.runtime_error_lines(str(value))
                    result.add(Problem(check="run", severity=FAIL, input_index=index,
                                       summary=f"forward in C++ raised: {lines[0] if lines else value}"[:300],
                                       details=lines[1:4]))
                continue
            if not eager.ok:
                continue
            diffs = [d for d in cmp.compare(eager.output, value, rtol=rtol, atol=atol) if d.kind != "requires_grad"]
            if diffs:
                result.add(Problem(check="compare", severity=FAIL, input_index=index, output_path=diffs[0].path,
                                   summary=f"C++ output differs from eager: {diffs[0].describe()}",
                                   details=[d.describe() for d in diffs[1:4]],
                                   max_abs_diff=cmp.largest_difference(diffs)))
        result.set("run", PASS)
        result.set("compare", PASS)
        rows.append(result)
    if build.path is not None and not build.cached:
        v.report.notes.append(f"cpp: built the libtorch loader in {build.seconds:.0f} s (cached for torch "
                              f"{torch.__version__} in {build.path.parent})")
    elif build.skipped:
        v.report.notes.append(build.skipped)
    return rows
