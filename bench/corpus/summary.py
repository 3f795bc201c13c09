"""Print what ``ground_truth.json`` says, per library.

    python bench/corpus/summary.py [path/to/ground_truth.json] [--top 5]

Counts: models; built; scripted ok / rejected / scripted-but-diverges (or raises when run);
traced ok / trace diverges on input B / trace raises (compiling, or running B); the most
common script and trace error messages (names and numbers folded so one message shape
counts once, with one example) and rule codes; and how many models produced TracerWarnings
attributed to the library's own files (what jitlint should flag statically).  Needs only
the standard library.
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
    t = m.get("trace")
    if not t or not t.get("attempts"):
        return "not run"
    if t["status"] == "error":
        return "raises"
    return {"matches": "ok", "differs": "diverges", "raises": "raises on B"}[t["verdict"]]


def summarize(models, top: int) -> str:
    out = []
    by_lib = collections.defaultdict(list)
    for m in models:
        by_lib[m["library"]].append(m)
    header = ("library", "models", "built", "script ok", "rejected", "diverges", "raises", "trace ok",
              "diverges B", "raises", "timeout/crash")
    rows = []
    for lib in sorted(by_lib):
        ms = by_lib[lib]
        s = collections.Counter(_script(m) for m in ms)
        t = collections.Counter(_trace(m) for m in ms)
        rows.append((lib, len(ms), sum(m.get("build", {}).get("status") == "ok" for m in ms),
                     s["ok"], s["rejected"], s["diverges"], s["raises"],
                     t["ok"], t["diverges"], t["raises"] + t["raises on B"],
                     sum(m["child"]["status"] != "done" for m in ms)))
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    out.append("  ".join(str(h).ljust(w) for h, w in zip(header, widths)))
    out.append("  ".join("-" * w for w in widths))
    for r in rows:
        out.append("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))
    out.append("")
    out.append("script ok/diverges/raises: scripted, then run on inputs A and B and compared with eager")
    out.append("trace: traced on A (default settings, else check_trace=False); ok/diverges/raises on input B")

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
        diverging = [(m["name"], _max_diff(m, "trace")) for m in ms if _trace(m) == "diverges"]
        if diverging:
            out.append("trace diverges on B: " + ", ".join(f"{n} ({d:.3g})" for n, d in diverging))
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
