"""The checks behind :func:`jitlint.runtime.verify`, one (mode, device) at a time.

See :mod:`jitlint.runtime.api` for what is checked and why; this module is the machinery:
deep copies, seeded calls, warning capture, and turning each failure into a
:class:`~jitlint.runtime.report.Problem` with its rule code and likely causes.
"""

from __future__ import annotations

import copy
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

from . import compare as cmp
from . import control_flow, diagnostics, rule_map, state
from . import target as target_info
from .compat import TORCH_VERSION, cuda_status
from .isolated_load import Artifact, run_isolated
from .report import FAIL, NOT_RUN, PASS, SKIP, WARN, Cause, ModeResult, Problem, Report

MODES = ("script", "trace")
DEVICES = ("cpu", "cuda")
DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-5
# GPU kernels (TF32 matmuls, other reduction orders) differ from CPU by more than float32
# rounding; these are used for CUDA-vs-CPU comparisons unless rtol/atol are given.
CUDA_RTOL = 1e-3
CUDA_ATOL = 1e-4


_MISSING = object()


@dataclass
class _EagerCall:
    ok: bool
    output: Any = None
    args_after: Any = None
    error: Optional[BaseException] = None


class Verifier:
    def __init__(self, target, args_list, *, modes, devices, save_load, rtol, atol, trace_kwargs,
                 static_check, seed, timeout, progress, export=False, cpp=False):
        self.target = target
        self.export = export  # also torch.export.export it (the export/cpu row)
        self.cpp = cpp  # also load the saved archives in C++ (the cpp:<mode> rows)
        self.inputs = args_list
        self.modes = modes
        self.devices = devices
        self.save_load = save_load
        self.rtol = rtol
        self.atol = atol
        self.trace_kwargs = trace_kwargs
        self.static_check = static_check
        self.seed = seed
        self.timeout = timeout
        self.progress = progress or (lambda message: None)
        self.caught: List[Any] = []
        self.is_module = isinstance(target, torch.nn.Module)
        self.source_files = target_info.source_files(target)
        self.report = Report(
            target=target_info.target_name(target),
            kind="module" if self.is_module else "function",
            source_file=self.source_files[0] if self.source_files else None,
            n_inputs=len(args_list),
            torch_version=TORCH_VERSION,
            python_version=sys.version.split()[0],
        )
        self.pristine = None
        self.eager_calls: List[_EagerCall] = []
        self.eager_final = None
        self.state_changes: List[state.StateItem] = []
        self.artifacts: List[Tuple[Artifact, ModeResult]] = []
        self.warning_causes: Dict[str, List[Cause]] = {}  # user-code TracerWarnings per mode/device
        self.compiled_outputs: Dict[str, Dict[int, Any]] = {}  # in-process outputs per mode/device

    # -- helpers -------------------------------------------------------------------
    def fresh(self):
        """A new copy of the model in its original state (functions are returned as is)."""
        return copy.deepcopy(self.pristine) if self.is_module else self.target

    def tolerances(self, device: str) -> Tuple[float, float]:
        rtol, atol = (CUDA_RTOL, CUDA_ATOL) if device == "cuda" else (DEFAULT_RTOL, DEFAULT_ATOL)
        return (self.rtol if self.rtol is not None else rtol, self.atol if self.atol is not None else atol)

    def call(self, fn, args, index: int):
        torch.manual_seed(self.seed + index)
        return fn(*args)

    # -- top level -------------------------------------------------------------------
    def run(self) -> Report:
        started = time.perf_counter()
        workdir = tempfile.mkdtemp(prefix="jitlint_verify_")
        try:
            self.prepare()
            self.run_eager()
            usable, reason = cuda_status()
            for device in self.devices:
                for mode in self.modes:
                    if device == "cuda" and not usable:
                        self.report.results.append(ModeResult(mode, device, skipped_reason=f"CUDA skipped: {reason}"))
                        continue
                    self.report.results.append(self.run_mode(mode, device, workdir))
            if self.export:
                from .deploy_checks import run_export

                self.report.results.append(run_export(self, workdir))
            if "cuda" in self.devices and not usable:
                self.report.notes.append(f"CUDA skipped: {reason}")
            if self.save_load and self.artifacts:
                try:
                    self.run_fresh_process(workdir)
                except Exception as exc:  # noqa: BLE001 - e.g. inputs torch.save cannot pickle
                    for _, result in self.artifacts:
                        result.add(Problem(
                            check="save_load", severity=FAIL,
                            summary=f"could not run the fresh-process load: {type(exc).__name__}: {exc}"[:300],
                        ))
            if self.cpp:
                from .deploy_checks import run_cpp

                self.report.results.extend(run_cpp(self, workdir))
            self.add_notes()
            if self.static_check:
                self.crosscheck()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        self.report.seconds = time.perf_counter() - started
        self.progress("done")
        return self.report

    def prepare(self) -> None:
        if not self.is_module:
            return
        try:
            self.pristine = copy.deepcopy(self.target)
        except Exception as exc:  # noqa: BLE001
            self.pristine = self.target
            self.report.notes.append(
                f"could not deep-copy the model ({type(exc).__name__}: {exc}); eager and compiled runs share "
                "its state, so state checks are unreliable and the model passed in may be modified"
            )

    def run_eager(self) -> None:
        self.progress("eager: running reference")
        model = self.fresh()
        before = state.snapshot(model) if self.is_module else {}
        changed: List[state.StateItem] = []
        for index, args in enumerate(self.inputs):
            call_args = cmp.clone_args(args)
            try:
                out = self.call(model, call_args, index)
                self.eager_calls.append(_EagerCall(True, cmp.detach_clone(out), cmp.detach_clone(call_args)))
            except Exception as exc:  # noqa: BLE001
                self.eager_calls.append(_EagerCall(False, error=exc))
            if self.is_module:
                after = state.snapshot(model)
                changed.extend(state.changed(before, after))
                before = after
        self.eager_final = model
        self.state_changes = sorted(set(changed), key=lambda i: (i.kind, i.name))
        self.report.state_changes = state.describe(self.state_changes)

    # -- one (mode, device) ----------------------------------------------------------
    def run_mode(self, mode: str, device: str, workdir: str) -> ModeResult:
        started = time.perf_counter()
        result = ModeResult(mode, device)
        try:
            self._run_mode(result, mode, device, workdir)
        except Exception as exc:  # noqa: BLE001 - a bug in jitlint must not hide the other results
            step = next((c for c in ("compile", "run", "compare", "state", "save_load")
                         if result.checks.get(c) == NOT_RUN), "compare")
            result.add(Problem(
                check=step, severity=FAIL,
                summary=f"jitlint could not complete this check: internal error {type(exc).__name__}: {exc}",
            ))
        finally:
            result.seconds = time.perf_counter() - started
        return result

    def _run_mode(self, result: ModeResult, mode: str, device: str, workdir: str) -> None:
        self.progress(f"{result.name}: compiling")
        subject = self.fresh()
        if device != "cpu" and self.is_module:
            subject = subject.to(device)
        example = cmp.to_device(cmp.clone_args(self.inputs[0]), device)
        before = state.snapshot(subject) if self.is_module else {}
        rng_before = diagnostics.python_rng_states()
        first_warning = len(self.caught)
        try:
            if mode == "script":
                compiled = torch.jit.script(subject)
            else:
                torch.manual_seed(self.seed)
                compiled = torch.jit.trace(subject, example, **self.trace_kwargs)
        except Exception as exc:  # noqa: BLE001 - every compiler failure is a finding
            during = state.changed(before, state.snapshot(subject)) if self.is_module else []
            rng_used = [name for name, st in diagnostics.python_rng_states().items() if rng_before.get(name) != st]
            self.add_warnings(result, mode, first_warning)
            result.add(self.compile_problem(exc, mode, during, rng_used, example))
            for check in ("run", "compare", "state", "save_load"):
                result.set(check, SKIP)
            return
        self.add_warnings(result, mode, first_warning)
        result.set("compile", PASS)
        if mode == "trace" and self.is_module:
            self.check_trace_side_effects(result, subject, before, compiled)
        if self.save_load:
            self.save(result, compiled, workdir)
        else:
            result.set("save_load", SKIP)
        self.progress(f"{result.name}: running {len(self.inputs)} input(s)")
        self.run_and_compare(result, compiled, mode, device)
        if self.is_module:
            self.check_state(result, compiled, mode)
            if self.target.training:
                self.check_after_eval(result, compiled, mode, device)
        else:
            result.set("state", NOT_RUN)

    # -- compile ---------------------------------------------------------------------
    def compile_problem(self, exc: BaseException, mode: str, changed_during: List[state.StateItem],
                        rng_used: Sequence[str] = (), example=None) -> Problem:
        message = str(exc)
        where = diagnostics.locate(message, self.source_files)
        user_line = where.location.text if where.location and not where.location.in_torch else None
        match = rule_map.classify(message, source_line=user_line, phase=rule_map.COMPILE, mode=mode)
        match = rule_map.refine_with_target(match, message, self.target)
        lines = diagnostics.key_lines(message)
        causes: List[Cause] = []
        if match and match.code == "JIT310":
            # "Graphs differed across invocations": torch re-ran forward and recorded another
            # graph.  Say why, from what actually changed while it traced.
            if changed_during:
                causes.append(Cause("JIT310", rule_map.RULE_NAMES["JIT310"], "state",
                                    "forward changed " + ", ".join(state.describe(changed_during)) + " while tracing"))
            elif rng_used:
                match = rule_map.rule("JIT309")
                causes.append(Cause("JIT309", match.name, "random state",
                                    f"forward drew from {' and '.join(rng_used)} while tracing; "
                                    "the trace froze the values"))
            else:
                match = None
                grad_mode_path = example is not None and diagnostics.graph_depends_on_grad_mode(
                    self.fresh, example, self.trace_kwargs)
                if grad_mode_path:
                    causes.append(Cause(None, None, "grad mode",
                                        "forward records a different graph under torch.no_grad(), which torch's "
                                        "check_trace re-run uses (e.g. nn.MultiheadAttention's fast path); trace "
                                        "inside torch.no_grad() or pass check_trace=False"))
        if where.location is not None and where.location.in_torch and "Graphs differed across invocations" in message:
            # the "location" is a line of the dumped graph inside torch: not an error site
            where = diagnostics.MessageLocation(None, [], "graph dump")
        if where.how == "none":
            lines.append("(the compiler reported no source location)")
        elif where.how == "inside torch":
            lines.append("(the compiler points inside torch, not at your code)")
        summary = f"{type(exc).__name__}: {lines[0] if lines else diagnostics.first_line(message)}"
        return Problem(
            check="compile", severity=FAIL, summary=summary, code=match.code if match else None,
            rule=match.name if match else None, error_type=type(exc).__name__, details=lines[1:],
            excerpt=where.excerpt, location=where.location, causes=causes,
        )

    def add_warnings(self, result: ModeResult, mode: str, first: int) -> None:
        records = diagnostics.warning_records(
            w for w in self.caught[first:] if w.category.__name__ == "TracerWarning"
        )
        for record in records:
            if not record.user_visible:
                continue
            cause = diagnostics.cause_from_warning(record, mode)
            if cause.code == "JIT313" and not (self.is_module and self.target.training):
                # "nondeterministic nodes ... forget to call .eval()?" on something that has no
                # training mode is about a random op, which the seeded comparison covers
                cause.code = cause.rule = None
            result.add(Problem(
                check="compile", severity=WARN, summary=f"TracerWarning: {diagnostics._shorten(record.message, 140)}",
                code=cause.code, rule=cause.rule, error_type="TracerWarning", location=cause.location,
            ))
        # evidence for later divergences: warnings at user lines, plus coded warnings torch.jit
        # issues about the trace as a whole ("Encountering a list at the output ...")
        causes = [diagnostics.cause_from_warning(r, mode) for r in records if r.user_visible]
        self.warning_causes[result.name] = [c for c in causes if c.location is not None or c.code]

    def check_trace_side_effects(self, result: ModeResult, subject, before, compiled) -> None:
        during = state.changed(before, state.snapshot(subject))
        if during:
            result.add(Problem(
                check="state", severity=WARN,
                summary="torch.jit.trace ran forward (the example plus its check_trace re-runs) and changed "
                + ", ".join(state.describe(during)),
                code="JIT314", rule=rule_map.RULE_NAMES["JIT314"],
                details=["tensor state was reset to its original values before comparing"],
            ))
            state.restore_tensors(compiled, self.pristine)

    # -- save ------------------------------------------------------------------------
    def save(self, result: ModeResult, compiled, workdir: str) -> None:
        path = os.path.join(workdir, f"{result.mode}_{result.device}.pt")
        try:
            torch.jit.save(compiled, path)
        except Exception as exc:  # noqa: BLE001
            message = str(exc)
            match = rule_map.refine_with_target(
                rule_map.classify(message, phase=rule_map.SAVE, mode=result.mode), message, self.target)
            lines = diagnostics.key_lines(message, 3)
            result.add(Problem(
                check="save_load", severity=FAIL,
                summary=f"torch.jit.save failed: {type(exc).__name__}: {lines[0] if lines else ''}",
                code=match.code if match else None, rule=match.name if match else None,
                error_type=type(exc).__name__, details=lines[1:],
            ))
            return
        self.artifacts.append((Artifact(result.name, path, result.device), result))

    # -- run & compare ---------------------------------------------------------------
    def run_and_compare(self, result: ModeResult, compiled, mode: str, device: str) -> None:
        rtol, atol = self.tolerances(device)
        device_map = {"cpu": device} if device != "cpu" else None
        for index, args in enumerate(self.inputs):
            eager = self.eager_calls[index]
            call_args = cmp.to_device(cmp.clone_args(args), device)
            try:
                out = self.call(compiled, call_args, index)
            except Exception as exc:  # noqa: BLE001
                if eager.ok:
                    result.add(self.run_problem(exc, mode, index, result))
                else:
                    result.add(Problem(
                        check="run", severity=WARN, input_index=index,
                        summary=f"eager Python raised too ({type(eager.error).__name__}: "
                        f"{diagnostics.first_line(str(eager.error))[:120]}); this input is not valid for the model",
                    ))
                continue
            if not eager.ok:
                match = rule_map.classify(str(eager.error), phase=rule_map.RUN, mode=mode)
                result.add(Problem(
                    check="compare", severity=FAIL, input_index=index,
                    code=match.code if match else None, rule=match.name if match else None,
                    summary=f"eager Python raised {type(eager.error).__name__}: "
                    f"{diagnostics.first_line(str(eager.error))[:140]}, "
                    f"but the compiled {mode} returned {cmp.brief(out)}",
                ))
                continue
            frozen = cmp.detach_clone(out)
            self.compiled_outputs.setdefault(result.name, {})[index] = frozen
            diffs = cmp.compare(eager.output, frozen, rtol=rtol, atol=atol, device_map=device_map)
            diffs += cmp.compare(eager.args_after, cmp.detach_clone(call_args), rtol=rtol, atol=atol,
                                 device_map=device_map, path="argument")
            if diffs:
                result.add(self.mismatch_problem(diffs, index, compiled, mode, result, check="compare"))
        result.set("run", PASS)
        result.set("compare", PASS)

    def run_problem(self, exc: BaseException, mode: str, index: int, result: ModeResult) -> Problem:
        message = str(exc)
        where = diagnostics.locate(message, self.source_files)
        user_line = where.location.text if where.location and not where.location.in_torch else None
        match = rule_map.classify(message, source_line=user_line, phase=rule_map.RUN, mode=mode)
        lines = diagnostics.runtime_error_lines(message)
        causes: List[Cause] = []
        if mode == "trace" and (match is None or match.weak):
            causes = self.trace_causes(index, result)
            coded = [c for c in causes if c.code]
            if coded:
                match = rule_map.rule(coded[0].code)
        return Problem(
            check="run", severity=FAIL, input_index=index,
            summary=f"the compiled {mode} raised {type(exc).__name__}: {lines[0] if lines else ''}"[:300],
            code=match.code if match else None, rule=match.name if match else None,
            error_type=type(exc).__name__, details=lines[1:],
            excerpt=where.excerpt if where.how == "user source" else [],
            location=where.location if where.how == "user source" else None, causes=causes,
        )

    def mismatch_problem(self, diffs, index, compiled, mode, result, *, check, suffix="") -> Problem:
        first = diffs[0]
        causes: List[Cause] = []
        if any(d.kind == "device" for d in diffs) and mode == "trace":
            causes.append(Cause("JIT308", rule_map.RULE_NAMES["JIT308"], "output device",
                                "the trace recorded the example's device as a constant"))
        if mode == "trace" and any(d.kind == "type" and d.actual.startswith("Tensor") for d in diffs):
            causes.append(Cause("JIT311", rule_map.RULE_NAMES["JIT311"], "output type",
                                "a trace returns tensors only: a Python number from forward becomes a 0-dim tensor"))
        if mode == "trace":
            if any(d.kind == "requires_grad" for d in diffs):
                # a trace records tensor ops, not the grad mode a decorator set around them
                causes += [c for c in diagnostics.source_hints(target_info.compiled_python_functions(self.target))
                           if c.code == "JIT122"]
            causes += [c for c in self.trace_causes(index, result) if c not in causes]
        else:
            causes += diagnostics.graph_hints(compiled)
            causes += diagnostics.source_hints(target_info.compiled_python_functions(self.target))
        coded = [c for c in causes if c.code]
        more = f" (+{len(diffs) - 1} more difference(s))" if len(diffs) > 1 else ""
        return Problem(
            check=check, severity=FAIL, input_index=index, output_path=first.path,
            summary=f"{mode} output differs from eager{suffix}: {first.describe()}{more}",
            details=[d.describe() for d in diffs[1:4]],
            max_abs_diff=cmp.largest_difference(diffs),
            code=coded[0].code if coded else None, rule=coded[0].rule if coded else None,
            causes=causes,
        )

    def trace_causes(self, index: int, result: ModeResult) -> List[Cause]:
        """Why a trace misbehaves on input ``index``: TracerWarnings at user lines first;
        without those, the Python decision that went another way for this input."""
        causes = list(self.warning_causes.get(result.name, []))
        if any(c.code for c in causes):
            return causes
        if index == 0:
            return causes
        try:
            decision = control_flow.find_frozen_decision(
                self.fresh, cmp.clone_args(self.inputs[0]), cmp.clone_args(self.inputs[index]))
        except Exception:  # noqa: BLE001 - diagnosis must never break verification
            decision = None
        if decision is not None:
            causes.append(decision)
        return causes

    # -- state -------------------------------------------------------------------------
    def check_state(self, result: ModeResult, compiled, mode: str) -> None:
        if not self.state_changes:
            result.set("state", PASS)
            return
        differs = state.first_difference(compiled, self.eager_final, self.state_changes)
        if differs is None:
            result.set("state", PASS)
            return
        item, detail = differs
        result.add(Problem(
            check="state", severity=FAIL, code="JIT310", rule=rule_map.RULE_NAMES["JIT310"],
            summary=f"forward changes {item.name} ({item.kind}); after the same calls {detail}",
            details=[f"the {mode}d module does not reproduce forward's state updates"
                     if mode == "trace" else "the scripted module's state diverged from eager"],
        ))

    def check_after_eval(self, result: ModeResult, compiled, mode: str, device: str) -> None:
        """A module verified in training mode is also compared after ``.eval()``: a trace
        keeps whatever ``if self.training`` / dropout / batch-statistics path it recorded.

        Both sides continue from the state the main run left them in (a copy of the eager
        model after the same calls), so stateful modules compare like for like; when that
        state already differs the comparison would prove nothing and is skipped.
        """
        if result.checks.get("state") == FAIL:
            return
        rtol, atol = self.tolerances(device)
        device_map = {"cpu": device} if device != "cpu" else None
        try:
            eager = copy.deepcopy(self.eager_final).eval()
            compiled.eval()
        except Exception:  # noqa: BLE001 - an uncopyable model: skip this extra check
            return
        for index, args in enumerate(self.inputs):
            try:
                want = cmp.detach_clone(self.call(eager, cmp.clone_args(args), index))
                got = cmp.detach_clone(self.call(compiled, cmp.to_device(cmp.clone_args(args), device), index))
            except Exception:  # noqa: BLE001 - errors here are reported by the main run
                continue
            diffs = cmp.compare(want, got, rtol=rtol, atol=atol, device_map=device_map)
            if diffs:
                problem = self.mismatch_problem(diffs, index, compiled, mode, result, check="compare",
                                                suffix=" after .eval()")
                problem.code, problem.rule = "JIT313", rule_map.RULE_NAMES["JIT313"]
                problem.causes.insert(0, Cause("JIT313", problem.rule, "training mode",
                                               f"the model was {mode}d in training mode and then switched to eval"))
                result.add(problem)
                return

    # -- fresh process -------------------------------------------------------------------
    def run_fresh_process(self, workdir: str) -> None:
        self.progress(f"save/load: loading {len(self.artifacts)} file(s) in a fresh Python process")
        inputs_file = os.path.join(workdir, "inputs.pt")
        torch.save([cmp.clone_args(a) for a in self.inputs], inputs_file)
        modules, forbidden = target_info.model_modules_and_dirs(self.target)
        started = time.perf_counter()
        run = run_isolated(
            [a for a, _ in self.artifacts], inputs_file, model_modules=modules, forbidden_paths=forbidden,
            seed=self.seed, workdir=workdir, timeout=self.timeout,
        )
        self.report.isolation = dict(run.evidence)
        self.report.isolation["forbidden_paths"] = list(forbidden)
        self.report.isolation["seconds"] = round(time.perf_counter() - started, 3)  # wall time of the child
        importable = [m for m, v in (run.evidence.get("model_modules") or {}).items() if v.get("importable")]
        if importable:
            self.report.notes.append(
                "the fresh process could still import " + ", ".join(importable)
                + " (installed package), so the load does not prove independence from the model's source"
            )
        for artifact, result in self.artifacts:
            if not run.ok:
                result.add(Problem(check="save_load", severity=FAIL, summary=f"fresh-process load failed: {run.error}"))
                continue
            self.compare_loaded(result, run.artifacts.get(artifact.key))

    def compare_loaded(self, result: ModeResult, loaded) -> None:
        if loaded is None or not loaded.loaded:
            error = loaded.error if loaded else "no result"
            match = rule_map.refine_with_target(
                rule_map.classify(error or "", phase=rule_map.SAVE, mode=result.mode), error or "", self.target)
            lines = diagnostics.key_lines(error or "", 3)
            result.add(Problem(
                check="save_load", severity=FAIL,
                summary="torch.jit.load in a fresh process failed: " + (lines[0] if lines else ""),
                details=lines[1:], code=match.code if match else None, rule=match.name if match else None,
            ))
            return
        rtol, atol = self.tolerances(result.device)
        device_map = {"cpu": result.device} if result.device != "cpu" else None
        for index, item in enumerate(loaded.outputs):
            eager = self.eager_calls[index]
            if item[0] == "error":
                if eager.ok:
                    message = item[2]
                    match = rule_map.classify(message, phase=rule_map.RUN, mode=result.mode)
                    lines = diagnostics.runtime_error_lines(message)
                    result.add(Problem(
                        check="save_load", severity=FAIL, input_index=index,
                        summary=(f"the loaded model raised {item[1]} in a fresh process: "
                                 f"{lines[0] if lines else ''}")[:300],
                        details=lines[1:], code=match.code if match else None, rule=match.name if match else None,
                    ))
                continue
            if not eager.ok:
                continue
            diffs = cmp.compare(eager.output, item[1], rtol=rtol, atol=atol, device_map=device_map)
            # requires_grad does not survive torch.save of outputs; compare it in-process only
            diffs = [d for d in diffs if d.kind != "requires_grad"]
            if diffs:
                in_process = self.compiled_outputs.get(result.name, {}).get(index, _MISSING)
                same_as_in_process = in_process is not _MISSING and not [
                    d for d in cmp.compare(in_process, item[1], rtol=rtol, atol=atol) if d.kind != "requires_grad"]
                lead = ("the reloaded model reproduces the in-process difference from eager (see compare): "
                        if same_as_in_process else "the model loaded in a fresh process differs from eager: ")
                result.add(Problem(
                    check="save_load", severity=FAIL, input_index=index, output_path=diffs[0].path,
                    summary=lead + diffs[0].describe(),
                    details=[d.describe() for d in diffs[1:4]], max_abs_diff=cmp.largest_difference(diffs),
                ))
        result.set("save_load", PASS)

    # -- report extras -------------------------------------------------------------------
    def add_notes(self) -> None:
        if "trace" in self.modes and len(self.inputs) == 1:
            self.report.notes.append(
                "only one input: the trace is compared on its own example, so hazards that need other "
                "shapes or values (frozen branches, loops, sizes) cannot show; pass more inputs"
            )
        if self.is_module and self.target.training:
            self.report.notes.append(
                "the module is in training mode (as nn.Module starts); it was also compared after .eval(), "
                "where a trace keeps its training-mode path")

    def crosscheck(self) -> None:
        from . import crosscheck

        roots = []
        if not self.is_module:
            # a plain function is a root only because verify compiles it: tell the linter so
            name = getattr(self.target, "__qualname__", None) or getattr(self.target, "__name__", None)
            if name and "<" not in name:
                roots = [(name, mode) for mode in self.modes if mode in ("script", "trace")]
        self.report.static = crosscheck.annotate(self.report, self.source_files, roots)
