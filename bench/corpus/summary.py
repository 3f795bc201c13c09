"""Print what ``ground_truth.json`` says, per library.

    python bench/corpus/summary.py [path/to/ground_truth.json] [--top 5]

Counts: models; built; scripted ok / rejected / scripted-but-diverges (or raises when run);
traced ok / trace diverges / trace raises (compiling, or running an input) over every input
(A, B and C where the model took one), how many of those go wrong only on C (B matched),
device-baked traces (``trace.meta``), traces whose device check could not be measured, and
the trace-hazardous models (default trace failed, diverged or raised on any input, or
device-baked: what ``compare.py`` counts); the most common script and trace error messages
(names and numbers folded so one message shape counts once, with one example) and rule
codes; and how many models produced TracerWarnings attributed to the library's own files
(what jitlint should flag statically).  Needs only the standard library.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _shape(message: str) -> str:
    """Fold the parts of a message that name things, so one message shape counts once."""
    text = re.sub(r"'[^']*'", "'*'", message)
    text = re.sub(r"`[^`]*`", "`*`", text)
    text = re.sub(r"<[^<>]*>", "<*>", text)
    text = re.sub(r"\bFailed to get source for \S+ \S+", "Failed to get source for <*>", text)
    text = re.sub(r"\b(tensor|Tensor)\(\[.*", "tensor(...)", text)
    text = re.sub(r"\b\d+(\.\d+)?\b", "N", text)
    text = re.sub(r"\b[A-Z]\w*(Config|Output)\b", "*", text)
    return text[:160]


def _script(m):
    s = m.get("script")
    if not s:
        return "not run"
    if s["status"] != "ok":
        return "rejected"
    return {"matches": "ok", "differs": "diverges", "raises": "raises"}[s["verdict"]]


def _trace(m):
    """Over every input (A, B, C): ok / diverges / raises (compiling or running)."""
    t = m.get("trace")
    if not t or not t.get("attempts"):
        return "not run"
    if t["status"] == "error":
        return "raises"
    return {"matches": "ok", "differs": "diverges", "raises": "raises on input"}[t["verdict"]]


def _only_c(m):
    """The trace matched eager on B but diverged or raised on C."""
    t = m.get("trace") or {}
    return t.get("verdict_B") == "matches" and t.get("verdict_C") not in (None, "matches")


def _meta(m):
    return ((m.get("trace") or {}).get("meta") or {}).get("verdict")


def _hazard(m):
    """compare.py's trace-hazardous: default trace failed, any input diverged/raised, device-baked."""
    t = m.get("trace") or {}
    if not t.get("attempts"):
        return False
    return (t["attempts"][0]["status"] != "ok" or t.get("verdict") in ("differs", "raises")
            or _meta(m) == "device-baked")


def summarize(models, top: int) -> str:
    out = []
    by_lib = collections.defaultdict(list)
    for m in models:
        by_lib[m["library"]].append(m)
    header = ("library", "models", "built", "script ok", "rejected", "diverges", "raises", "trace ok",
              "diverges", "raises", "only on C", "device-baked", "meta n/m", "hazardous", "timeout/crash")
    rows = []
    for lib in sorted(by_lib):
        ms = by_lib[lib]
        s = collections.Counter(_script(m) for m in ms)
        t = collections.Counter(_trace(m) for m in ms)
        meta = collections.Counter(_meta(m) for m in ms)
        rows.append((lib, len(ms), sum(m.get("build", {}).get("status") == "ok" for m in ms),
                     s["ok"], s["rejected"], s["diverges"], s["raises"],
                     t["ok"], t["diverges"], t["raises"] + t["raises on input"],
                     sum(_only_c(m) for m in ms), meta["device-baked"], meta["not-measurable"],
                     sum(_hazard(m) for m in ms),
                     sum(m["child"]["status"] != "done" for m in ms)))
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    out.append("  ".join(str(h).ljust(w) for h, w in zip(header, widths)))
    out.append("  ".join("-" * w for w in widths))
    for r in rows:
        out.append("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))
    out.append("")
    out.append("script ok/diverges/raises: scripted, then run on inputs A and B and compared with eager")
    out.append("trace: traced on A (default settings, else check_trace=False); ok/diverges/raises over inputs A, B, C;")
    out.append("  only on C: matched on B, diverged/raised on C; device-baked / meta n/m: the device check on the meta")
    out.append("  device (trace.meta; n/m = not measurable); hazardous: default trace failed, any input diverged or")
    out.append("  raised, or device-baked")

    for lib in sorted(by_lib):
        ms = by_lib[lib]
        out.append("")
        out.append(f"== {lib} ==")
        not_done = [f"{m['name']} ({m['child']['status']} at {m.get('stage')})" for m in ms
                    if m["child"]["status"] != "done"]
        unbuilt = [f"{m['name']}: {m['build']['error']['message'][:100]}" for m in ms
                   if m.get("build", {}).get("status") == "error"]
        no_inputs = [f"{m['name']}: {m['inputs']['error']['message'][:100]}" for m in ms
                     if m.get("inputs", {}).get("status") == "error"]
        for title, items in (("timeout/crash", not_done), ("not built", unbuilt), ("no input accepted", no_inputs)):
            if items:
                out.append(f"{title}: " + "; ".join(items))
        only_unchecked = [m["name"] for m in ms if m.get("trace", {}).get("status") == "ok_without_check_trace"]
        if only_unchecked:
            out.append(f"traced only with check_trace=False: {', '.join(only_unchecked)}")
        for label, pick in (("script", _script_errors), ("trace", _trace_errors)):
            errors = [e for m in ms for e in pick(m)]
            if not errors:
                continue
            texts = [e.get("headline") or e["message"] for e in errors]
            shapes = collections.Counter(_shape(t) for t in texts)
            example = {}
            for t in texts:
                example.setdefault(_shape(t), t)
            rules = collections.Counter(e.get("rule") or "-" for e in errors)
            out.append(f"{label} errors ({len(errors)}), rules: "
                       + ", ".join(f"{r} x{n}" for r, n in rules.most_common(6)))
            for shape, n in shapes.most_common(top):
                out.append(f"  {n:3d}  {example[shape][:150]}")
        diverging = [(m["name"], _max_diff(m, "script")) for m in ms if _script(m) == "diverges"]
        if diverging:
            out.append("scripted but diverges: " + ", ".join(f"{n} (max abs diff {d:.3g})" for n, d in diverging))
        diverging = [m for m in ms if _trace(m) == "diverges"]
        if diverging:
            out.append("trace diverges: " + ", ".join(f"{m['name']} ({_per_input(m)})" for m in diverging))
        only_c = [m for m in ms if _only_c(m)]
        if only_c:
            out.append("wrong only on C: " + ", ".join(f"{m['name']} ({_per_input(m)})" for m in only_c))
        no_c = [m["name"] for m in ms if (m.get("inputs") or {}).get("C_status") == "not accepted"]
        with_c = sum((m.get("inputs") or {}).get("C_status") == "ok" for m in ms)
        out.append(f"input C: {with_c} model(s)" + (f"; none accepted by {len(no_c)}: {', '.join(no_c)}" if no_c else ""))
        baked = [m for m in ms if _meta(m) == "device-baked"]
        if baked:
            out.append("device-baked: " + "; ".join(f"{m['name']} ({_meta_detail(m)})" for m in baked))
        unmeasured = [m for m in ms if _meta(m) == "not-measurable"]
        if unmeasured:
            why = collections.Counter(_shape(m["trace"]["meta"].get("detail", "")) for m in unmeasured)
            out.append(f"device check not measurable ({len(unmeasured)}): "
                       + "; ".join(f"{n}x {w[:110]}" for w, n in why.most_common(3)))
            hint = [m["name"] for m in unmeasured if m["trace"]["meta"].get("eager") == "error"
                    and (m["trace"]["meta"].get("traced") == "wrong-device"
                         or _device_error(m["trace"]["meta"].get("traced_error")))]
            if hint:
                out.append("  of which the trace alone leaves meta or raises a device error (no eager reference): "
                           + ", ".join(hint))
        warned = collections.Counter()
        models_warned = 0
        for m in ms:
            ws = [w for a in m.get("trace", {}).get("attempts", [])[:1] for w in a.get("warnings", [])
                  if w.get("where") == "library" and w.get("category") == "TracerWarning"]
            models_warned += bool(ws)
            warned.update(w.get("rule") or "-" for w in ws)
        out.append(f"models with TracerWarnings in library files: {models_warned}"
                   + (" (rules: " + ", ".join(f"{r} x{n}" for r, n in warned.most_common(6)) + ")" if warned else ""))
    return "\n".join(out)


def _script_errors(m):
    s = m.get("script") or {}
    if s.get("status") == "error":
        yield s["error"]
    for r in s.get("runs", []):
        if r["verdict"] == "raises":
            yield r["error"]


def _trace_errors(m):
    t = m.get("trace") or {}
    attempts = t.get("attempts", [])
    if attempts and attempts[0]["status"] == "error":
        yield attempts[0]["error"]
    for r in t.get("runs", []):
        if r["verdict"] == "raises":
            yield r["error"]


def _per_input(m) -> str:
    parts = []
    for r in m["trace"].get("runs", []):
        if r["verdict"] == "differs":
            parts.append(f"{r['input']}: {r.get('max_abs_diff', float('nan')):.3g}")
        elif r["verdict"] == "raises":
            parts.append(f"{r['input']}: raises")
    return ", ".join(parts)


def _meta_detail(m) -> str:
    meta = m["trace"]["meta"]
    if meta.get("traced") == "wrong-device":
        text = "outputs on " + ", ".join(f"{k} x{n}" for k, n in sorted(meta.get("traced_devices", {}).items()))
    else:
        err = meta.get("traced_error") or {}
        text = err.get("message", "")[:90]
        if err.get("graph_location"):
            text += f" at {err['graph_location']}"
    return f"input {meta.get('input')}: {text}"


def _device_error(err) -> bool:
    text = (err or {}).get("message", "")
    return bool(re.search(r"is not on the expected device|same device|copy out of meta tensor", text))


def _max_diff(m, mode):
    diffs = [r.get("max_abs_diff") for r in m[mode].get("runs", []) if r.get("max_abs_diff") is not None]
    return max(diffs) if diffs else float("nan")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default=os.path.join(HERE, "ground_truth.json"))
    parser.add_argument("--top", type=int, default=5, help="most common messages shown per library")
    args = parser.parse_args(argv)
    with open(args.path) as fh:
        data = json.load(fh)
    meta = data.get("meta", {})
    versions = ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items() if v)
    print(f"{os.path.relpath(args.path)}: {len(data['models'])} models; {versions}")
    for run in meta.get("runs", []):
        print(f"  measured {run['generated']}: {run['models']} model(s) in {run.get('seconds')}s "
              f"(--jobs {run['jobs']}): {run['command']}")
    print(summarize(data["models"], args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
