"""Compare ``jitlint check`` with the compiler's verdicts in ``ground_truth.json``, per model.

For every model the ground truth built, jitlint is asked the question a user asks: *does the
code that ``torch.jit.script(model)`` compiles contain a script-family problem (JIT1xx/JIT2xx)?*
and *does the code that ``torch.jit.trace(model, x)`` runs contain a trace hazard (JIT3xx)?*
"The code compiled for the model" starts from the classes the model instance is made of (the
ground truth lists them; the compiler compiles every submodule's ``forward``); from there
jitlint's own reach model decides which methods, helpers, imported functions and properties are
compiled. Findings outside that reach do not count for the model.

A model is *rejected* when scripting raised or the scripted model diverged from eager, and
*trace-hazardous* when tracing failed with default settings or the trace diverged from eager (or
raised) on the second input. The tables count models; every disagreement is listed with the
jitlint findings (file:line) or the compiler's message.

Run in the bench environment (it has the model libraries; made by ``python3.11 -m venv ../benchenv &&
../benchenv/bin/pip install torch==2.14.1 torchvision==0.29.1 timm==1.0.31 transformers==5.23.0 -e .``):
``../benchenv/bin/python bench/corpus/compare.py [--library timm] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
# What the ground truth varies between the trace's example and later calls: the batch size and
# the spatial size / sequence length (inputs B and C) and the device (the meta-device check).
# It keeps channels/configuration, rank, dtype, layout, autograd state (no_grad), the mode
# (eval) and the arguments (every trace is called like its example).
GROUND_TRUTH_VARIES = "batch,sequence,device"
LIBRARIES = ("torchvision", "timm", "transformers")
ROOT_ONLY_TRACE_CODES = ("JIT311", "JIT312")  # about the traced root's inputs/outputs


def load_ground_truth() -> dict:
    return json.loads((HERE / "ground_truth.json").read_text())


def script_verdict(entry: dict):
    """(rejected?, message) from the compiler's side, or None when scripting was not tried."""
    script = entry.get("script")
    if not script:
        return None
    if script.get("status") == "error":
        err = script.get("error") or {}
        where = (err.get("locations") or [None])[0] if isinstance(err.get("locations"), list) else err.get("location")
        return True, f"{err.get('type')}: {err.get('message', '')[:200]}" + (f" [{where}]" if where else "")
    if script.get("verdict") in ("differs", "diverges", "raises"):
        return True, f"scripted model diverges from eager ({script.get('verdict')})"
    if script.get("status") == "ok":
        return False, ""
    return None


def trace_verdict(entry: dict):
    """(hazardous?, message) from the tracer's side, or None when tracing was not measured.

    Trace-hazardous: the default trace failed, the trace diverged from eager or raised on any
    input (A, B, and C where the model took one: ``trace.verdict`` is over every input,
    ``verdict_B`` is B's alone), or the device check found the trace-time device baked in
    (``trace.meta.verdict == "device-baked"``: run on the meta device, the trace's outputs
    stayed on CPU or it raised a device error where eager's followed the input).  A device
    check that could not be measured (eager itself fails on meta) does not count either way.
    """
    trace = entry.get("trace")
    if not trace:
        return None
    attempts = trace.get("attempts") or []
    first = attempts[0] if attempts else {}
    if first.get("status") not in (None, "ok") and not trace.get("verdict"):
        return True, f"trace failed: {first.get('error', {}).get('message', first.get('status'))}"[:240]
    if first.get("status") not in (None, "ok"):
        msg = (first.get("error") or {}).get("message", "")
        return True, f"default trace failed ({msg[:160]}); with other settings: {trace.get('verdict')}"
    reasons = []
    for run in trace.get("runs", []):
        if run.get("verdict") == "differs":
            reasons.append(f"differs on input {run.get('input')} (max abs diff {run.get('max_abs_diff')})")
        elif run.get("verdict") == "raises":
            reasons.append(f"raises on input {run.get('input')}: {(run.get('error') or {}).get('message', '')[:120]}")
    if not reasons and trace.get("verdict") in ("differs", "raises"):  # runs not recorded
        reasons.append(f"trace {trace['verdict']}")
    meta = trace.get("meta") or {}
    if meta.get("verdict") == "device-baked":
        reasons.append(f"device-baked (meta device, input {meta.get('input')}): {meta.get('detail', '')[:120]}")
    if reasons:
        return True, ("trace " + "; ".join(reasons))[:400]
    if trace.get("verdict") == "matches":
        return False, ""
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--library", choices=LIBRARIES, action="append")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write per-model verdicts here")
    parser.add_argument("--show", type=int, default=1000, help="disagreements to list per table")
    parser.add_argument("--trace-dynamic", default=GROUND_TRUTH_VARIES,
                        help="for the last table: what the deployment varies, as `trace-dynamic` spells it (default: "
                             "what the ground truth varies: %(default)s)")
    parser.add_argument("--skip-script", action="store_true", help="measure the trace side only")
    parser.add_argument("--from-json", type=Path, help="print the tables of a previous --json run (no analysis)")
    parser.add_argument("--site-packages", help="where the libraries' sources are (default: the ground truth's "
                        "meta.site_packages); the static side only reads files, so wheels of the versions "
                        "meta.versions names unpacked into one folder (pip download --no-deps) do")
    args = parser.parse_args()
    libraries = args.library or list(LIBRARIES)
    if args.from_json:
        from jitlint.linter.config import trace_dynamic_value

        rows = json.loads(args.from_json.read_text())["rows"]
        rows = [r for r in rows if r["library"] in libraries]
        dynamic = trace_dynamic_value([d.strip() for d in args.trace_dynamic.split(",") if d.strip()], "--trace-dynamic")
        print_tables(rows, libraries, args.show, dynamic)
        return 0

    from jitlint.linter.config import DEFAULT_EXCLUDE, Settings, trace_dynamic_value
    from jitlint.linter.discovery import discover
    from jitlint.linter.engine import analyze_files, project_for

    gt = load_ground_truth()
    site = args.site_packages or gt["meta"]["site_packages"]
    settings = Settings(
        project_root=site, respect_gitignore=False, cache_dir=str(HERE / ".jitlint_cache"),
        exclude=[e for e in DEFAULT_EXCLUDE if e != "site-packages"], modes=["script", "trace"],
    )
    t0 = time.perf_counter()
    found = discover([os.path.join(site, lib) for lib in libraries], settings)
    results, hits = analyze_files(found.files, settings, jobs=args.jobs, use_cache=True)
    analysis_seconds = time.perf_counter() - t0
    internal = sum(1 for r in results.values() for c in r.conditionals if c.finding.code == "JIT003")
    print(f"analysed {len(results)} files in {analysis_seconds:.1f}s ({hits} from cache), internal errors: {internal}")

    rows: List[dict] = []
    for entry in gt["models"]:
        if entry.get("library") not in libraries or (entry.get("build") or {}).get("status") != "ok":
            continue
        classes = [c["class"] for c in entry.get("classes", []) if c["class"].split(".")[0] in LIBRARIES]
        top = (entry.get("model") or {}).get("class")
        row = {"library": entry["library"], "model": entry["name"], "class": top}
        sv = script_verdict(entry)
        if sv is not None and classes and not args.skip_script:
            project = project_for(results, settings, modes=["script"], auto_roots=False,
                                  extra_roots=[(c, "script") for c in classes])
            found_script = [f for f in project.filter(results.values()) if f.code.startswith(("JIT1", "JIT2"))]
            row["script"] = {"compiler": sv[0], "message": sv[1], "jitlint": bool(found_script),
                             "findings": [f"{os.path.relpath(f.path, site)}:{f.row} {f.code} {f.message}" for f in found_script]}
        tv = trace_verdict(entry)
        if tv is not None and classes and top:
            whole = project_for(results, settings, modes=["trace"], auto_roots=False, extra_roots=[(top, "trace")])
            parts = project_for(results, settings, modes=["trace"], auto_roots=False,
                                extra_roots=[(c, "trace") for c in classes])
            found_trace = {(f.path, f.row, f.code): f for f in whole.filter(results.values()) if f.code.startswith("JIT3")}
            for f in parts.filter(results.values()):
                if f.code.startswith("JIT3") and f.code not in ROOT_ONLY_TRACE_CODES:
                    found_trace.setdefault((f.path, f.row, f.code), f)
            ordered = sorted(found_trace.values(), key=lambda f: (f.path, f.row))
            row["trace"] = {"compiler": tv[0], "message": tv[1], "jitlint": bool(found_trace),
                            "findings": [f"{os.path.relpath(f.path, site)}:{f.row} {f.code} {f.message}" for f in ordered],
                            "varies": [list(f.varies) for f in ordered]}
        rows.append(row)

    dynamic = trace_dynamic_value([d.strip() for d in args.trace_dynamic.split(",") if d.strip()], "--trace-dynamic")
    print_tables(rows, libraries, args.show, dynamic)
    if args.json:
        args.json.write_text(json.dumps({"analysis_seconds": analysis_seconds, "files": len(results),
                                         "internal_errors": internal, "rows": rows}, indent=1))
    return 0


SIGNATURE_CODES = ("JIT311", "JIT312")  # how the trace may be *called*: the ground truth calls it one way


def _code(finding: str) -> str:
    return finding.split(" ", 2)[1]


def signature_free(rows: List[dict]) -> List[dict]:
    """The trace rows with jitlint's verdict recomputed without the call-signature rules.

    JIT311/JIT312 say what fails when the trace is called with other arguments or output
    kinds than the example (``attention_mask`` passed later, a dict output); the ground truth
    calls every trace exactly like its example, so it cannot confirm or refute them. This
    view shows how the rest of the trace family agrees with what the ground truth measures."""
    out = []
    for r in rows:
        t = r.get("trace")
        if t is None:
            continue
        kept = [f for f in t["findings"] if _code(f) not in SIGNATURE_CODES]
        out.append({**r, "trace": {**t, "jitlint": bool(kept), "findings": kept}})
    return out


def fp_rules(rows: List[dict], kind: str) -> str:
    """Which rules fire in the false-positive models (a model counts once per rule)."""
    counts: Dict[str, int] = defaultdict(int)
    for r in rows:
        v = r.get(kind)
        if v and v["jitlint"] and not v["compiler"]:
            for code in sorted({_code(f) for f in v["findings"]}):
                counts[code] += 1
    return ", ".join(f"{c} x{n}" for c, n in sorted(counts.items())) or "none"


def confusion(rows: List[dict], kind: str) -> Dict[str, int]:
    c = defaultdict(int)
    for r in rows:
        v = r.get(kind)
        if v is None:
            continue
        key = ("T" if v["compiler"] == v["jitlint"] else "F") + ("P" if v["jitlint"] else "N")
        c[key] += 1
    return c


def print_table(rows: List[dict], libraries, kind: str, label: str) -> None:
    print(f"\n## {label}\n")
    print("| library | models | compiler says bad | jitlint flags | TP | FP | FN | TN | precision | recall | rules in FPs |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for lib in libraries:
        sub = [r for r in rows if r["library"] == lib and r.get(kind)]
        c = confusion(sub, kind)
        tp, fp, fn, tn = c["TP"], c["FP"], c["FN"], c["TN"]
        prec = f"{100 * tp / (tp + fp):.1f}%" if tp + fp else "n/a"
        rec = f"{100 * tp / (tp + fn):.1f}%" if tp + fn else "n/a"
        print(f"| {lib} | {len(sub)} | {tp + fn} | {tp + fp} | {tp} | {fp} | {fn} | {tn} | {prec} | {rec} | {fp_rules(sub, kind)} |")


def print_disagreements(rows: List[dict], libraries, kind: str, show: int) -> None:
    for lib in libraries:
        bad = [r for r in rows if r["library"] == lib and r.get(kind) and r[kind]["compiler"] != r[kind]["jitlint"]]
        if not bad:
            continue
        print(f"\n### {lib}: {len(bad)} disagreements ({kind})\n")
        for r in bad[:show]:
            v = r[kind]
            if v["jitlint"]:
                print(f"- FP `{r['model']}` ({r['class']}): compiler OK; jitlint:")
                for f in v["findings"][:6]:
                    print(f"    - {f}")
                if len(v["findings"]) > 6:
                    print(f"    - ... {len(v['findings']) - 6} more")
            else:
                print(f"- FN `{r['model']}` ({r['class']}): {v['message']}")


def declared_view(rows: List[dict], dynamic) -> List[dict]:
    """The trace rows as a project declaring ``trace-dynamic = dynamic`` sees them: findings none
    of whose groups vary there are dropped (``jitlint.linter.analysis.trace_dims.reported``)."""
    from jitlint.linter.analysis.trace_dims import reported

    out = []
    for r in rows:
        t = r.get("trace")
        if t is None:
            continue
        kept = [f for f, v in zip(t["findings"], t.get("varies") or [[]] * len(t["findings"])) if reported(v, dynamic)]
        out.append({**r, "trace": {**t, "jitlint": bool(kept), "findings": kept}})
    return out


def _shapes(value) -> List[tuple]:
    """(dtype, dims) of every tensor an input record names (``"float32[2, 3, 224, 224]"``), in order."""
    out: List[tuple] = []
    if isinstance(value, str) and value.endswith("]") and "[" in value:
        dtype, _, dims = value[:-1].partition("[")
        try:
            out.append((dtype, tuple(int(d) for d in dims.split(",") if d.strip())))
        except ValueError:
            pass
    elif isinstance(value, dict):
        for key in sorted(value):
            out.extend(_shapes(value[key]))
    elif isinstance(value, (list, tuple)):
        for item in value:
            out.extend(_shapes(item))
    return out


def measured_dims(entry: dict) -> List[str]:
    """What the ground truth really varied for one model, as ``trace-dynamic`` spells it: the
    batch and the sequence/spatial size where input B or C differs from A there (a
    fixed-resolution model refuses other sizes in eager, so no deployment of it varies them),
    rank and dtype where they differ, and the device (the meta-device check)."""
    inputs = entry.get("inputs") or {}
    a = _shapes(inputs.get("A"))
    found = {"device"}
    for other in (inputs.get("B"), inputs.get("C")):
        b = _shapes(other)
        if not b:
            continue
        if len(a) != len(b):
            found.add("batch")  # a list of images of another length
        for (da, sa), (db, sb) in zip(a, b):
            if da != db:
                found.add("dtype")
            if len(sa) != len(sb):
                found.add("rank")
                continue
            for i, (x, y) in enumerate(zip(sa, sb)):
                if x != y:
                    found.add("batch" if i == 0 else "sequence")
    return sorted(found)


def per_model_view(rows: List[dict]) -> List[dict]:
    """The trace rows as each model's own deployment sees them, declaring what the ground truth
    varied for that model (:func:`measured_dims`)."""
    from jitlint.linter.analysis.trace_dims import reported

    entries = {(e.get("library"), e.get("name")): e for e in load_ground_truth()["models"]}
    out = []
    for r in rows:
        t = r.get("trace")
        if t is None:
            continue
        dynamic = measured_dims(entries.get((r["library"], r["model"]), {}))
        kept = [f for f, v in zip(t["findings"], t.get("varies") or [[]] * len(t["findings"])) if reported(v, dynamic)]
        out.append({**r, "trace": {**t, "jitlint": bool(kept), "findings": kept, "dynamic": dynamic}})
    return out


def print_tables(rows: List[dict], libraries, show: int, dynamic=None) -> None:
    for kind, label in (("script", "script-family findings (JIT1/JIT2) vs torch.jit.script"),
                        ("trace", "trace hazards (JIT3) vs torch.jit.trace on other inputs and the meta device")):
        if not any(r.get(kind) for r in rows):
            continue
        print_table(rows, libraries, kind, label)
        print_disagreements(rows, libraries, kind, show)
    print_table(signature_free(rows), libraries, "trace",
                "trace hazards without the call-signature rules (JIT311/JIT312), which the ground truth cannot observe")
    if dynamic is not None:
        view = declared_view(rows, dynamic)
        label = f"trace hazards with trace-dynamic = {list(dynamic)} (what the ground truth varies)"
        print_table(view, libraries, "trace", label)
        print_disagreements(view, libraries, "trace", show)
        view = per_model_view(rows)
        print_table(view, libraries, "trace", "trace hazards with each model's trace-dynamic = what the ground truth "
                                              "varied for it (a fixed-resolution model: batch and device only)")
        print_disagreements(view, libraries, "trace", show)


if __name__ == "__main__":
    sys.exit(main())
