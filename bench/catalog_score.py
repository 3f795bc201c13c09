"""Score jitlint against the ground-truth catalog (../shared/ground-truth).

For every snippet: what the catalog says torch 2.13 did (its META family) decides the
expected outcome. A rejected, divergent, hazardous, deprecated or non-exportable snippet
must be flagged at one of its ``# MARK`` lines with a rule of the right family (JIT1 script-
incompatible, JIT2 needs-annotation, JIT3 trace hazard, JIT4 deprecated, JIT5 not
exportable); a supported snippet must produce no finding at all (deprecation findings, JIT4, aside: the
snippets' own harness helpers call ``torch.jit.script``).

Each snippet is checked as its own project. What the harness hands to the compiler
(``make()``'s return value) is passed as a root, like a user's ``torch.jit.script(fn)`` call
elsewhere in their code base: ``--script-root`` with ``modes=["script"]`` for script snippets,
``--trace-root`` with ``modes=["trace"]`` for trace snippets (a user who only traces selects
the trace mode). ``auto-roots`` is off: the snippets define probe and fixed variants next to
the construct, and only what ``make()`` returns is compiled by the harness. Run: ``python bench/catalog_score.py [--ground-truth DIR] [--verbose]``.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

from jitlint.linter.config import Settings
from jitlint.linter.engine import check_files

HERE = Path(__file__).resolve().parent
DEFAULT_GT = HERE.parent.parent / "shared" / "ground-truth"


def expected_family(kind: str, family: str) -> str | None:
    """The jitlint family (JIT1..JIT5) a snippet must be flagged with, or None if clean."""
    f = family.lower()
    if f.startswith("supported (not exportable)") or f.startswith("supported (raises if reached)"):
        return "JIT5"
    if f.startswith("supported") or "false alarm" in f or f.startswith("portability"):
        return None
    if f.startswith("script-incompatible"):
        return "JIT1"
    if f.startswith("needs-annotation"):
        return "JIT2"
    if f.startswith("trace-hazard"):
        return "JIT3"
    if f.startswith("deprecated"):
        return "JIT4"
    raise ValueError(f"unknown family {family!r}")


def make_root(source: str) -> str | None:
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "make":
            for stmt in ast.walk(node):
                if isinstance(stmt, ast.Return) and stmt.value is not None:
                    value = stmt.value
                    if isinstance(value, ast.Call):
                        value = value.func
                    if isinstance(value, ast.Name):
                        return value.id
    return None


PROBE_HEADER = """import math
import torch
import torch.nn.functional as F
from torch import Tensor
from typing import Any, Dict, List, Optional, Tuple, Union
"""


def probe_sources(source: str) -> dict:
    """label -> source of each one-function probe in a snippet's PROBES (read with ast)."""
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PROBES" for t in node.targets):
            if not isinstance(node.value, ast.Dict):
                continue
            for key, value in zip(node.value.keys, node.value.values):
                if isinstance(value, ast.Tuple) and value.elts:
                    value = value.elts[0]
                if isinstance(key, ast.Constant) and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    out[key.value] = value.value
    return out


def probe_hazardous(record: dict) -> bool:
    if not record.get("compiles", False):
        return True
    runtime = record.get("runtime") or {}
    return runtime.get("status", "equal") != "equal"


def score_probes(gt: Path, results: list, tmp: Path) -> list:
    """Each probe (a one-function variant checked by the catalog) as its own file, root ``f``."""
    rows = []
    for entry in results:
        probes = entry.get("probes") or {}
        if entry["kind"] != "script" or not probes:
            continue
        sources = probe_sources((gt / "snippets" / entry["file"]).read_text())
        for i, (label, record) in enumerate(probes.items()):
            if label not in sources:
                continue
            path = tmp / f"{entry['id']}_probe{i}.py"
            path.write_text(PROBE_HEADER + "\n\n" + sources[label])
            settings = Settings(select=["ALL"], modes=["script"], script_roots=["f"], auto_roots=False,
                                project_root=str(tmp))
            # a probe records whether torch.jit.script accepts it and matches eager: the script
            # families answer that (deployment hazards such as a hard-coded .cuda() may still
            # apply to a probe that compiles)
            findings = [f for f in check_files([str(path)], settings, use_cache=False).findings
                        if f.code.startswith(("JIT1", "JIT2"))]
            hazardous = probe_hazardous(record)
            rows.append({"id": entry["id"], "probe": label, "hazardous": hazardous,
                         "ok": bool(findings) == hazardous,
                         "record": record.get("error") or (record.get("runtime") or {}).get("status", "compiles"),
                         "findings": [(f.code, f.message) for f in findings]})
    return rows


def score(gt: Path, verbose: bool) -> dict:
    results = json.loads((gt / "results.json").read_text())["results"]
    rows = []
    for entry in results:
        if entry["kind"] not in ("script", "trace"):
            continue
        path = gt / "snippets" / entry["file"]
        source = path.read_text()
        marks = {i for i, line in enumerate(source.splitlines(), 1) if "# MARK" in line}
        uses = {i for i, line in enumerate(source.splitlines(), 1) if "# USE" in line}
        root = make_root(source)
        mode = entry["kind"]
        settings = Settings(
            select=["ALL"],
            modes=[mode],
            script_roots=[root] if (root and mode == "script") else [],
            trace_roots=[root] if (root and mode == "trace") else [],
            project_root=str(path.parent),
            auto_roots=False,  # only what make() hands to the compiler (other classes are probes)
        )
        findings = check_files([str(path)], settings, use_cache=False).findings
        want = expected_family(mode, entry["meta"]["family"])
        at_mark = [f for f in findings if f.row in marks]
        if want is None:
            # JIT4 reports calls of deprecated TorchScript API, which the snippets' own harness
            # code (EXTRA/CHECK helpers calling torch.jit.script) makes; the construct itself
            # is judged by the other families.
            judged = [f for f in findings if not f.code.startswith("JIT4")]
            ok = not judged
            extra = judged
        else:
            ok = any(f.code.startswith(want) for f in at_mark)
            extra = [f for f in findings if f.row not in marks | uses]
        rows.append({
            "id": entry["id"], "kind": mode, "family": entry["meta"]["family"], "expected": want,
            "ok": ok, "findings": [(f.code, f.row, f.message) for f in findings],
            "extra": [(f.code, f.row, f.message) for f in extra],
        })
    hazards = [r for r in rows if r["expected"]]
    clean = [r for r in rows if not r["expected"]]
    summary = {
        "hazardous_snippets": len(hazards),
        "flagged_right_family_at_mark": sum(r["ok"] for r in hazards),
        "supported_snippets": len(clean),
        "supported_with_findings": sum(not r["ok"] for r in clean),
        "extra_findings_in_hazardous": sum(len(r["extra"]) for r in hazards),
    }
    print("jitlint vs ../shared/ground-truth (torch 2.13 verdicts)")
    for kind in ("script", "trace"):
        h = [r for r in hazards if r["kind"] == kind]
        c = [r for r in clean if r["kind"] == kind]
        print(f"  {kind:6s}: hazardous flagged {sum(r['ok'] for r in h)}/{len(h)}"
              f" ({100.0 * sum(r['ok'] for r in h) / max(1, len(h)):.1f}%),"
              f" supported with findings {sum(not r['ok'] for r in c)}/{len(c)}")
    print(f"  total : recall {summary['flagged_right_family_at_mark']}/{summary['hazardous_snippets']}"
          f" ({100.0 * summary['flagged_right_family_at_mark'] / max(1, summary['hazardous_snippets']):.1f}%),"
          f" false alarms in supported snippets {summary['supported_with_findings']}/{summary['supported_snippets']},"
          f" extra findings off the MARK lines of hazardous snippets {summary['extra_findings_in_hazardous']}")
    for r in rows:
        if not r["ok"]:
            label = "MISSED" if r["expected"] else "FALSE ALARM"
            print(f"  {label:11s} {r['id']} ({r['family']}; want {r['expected']}): {r['findings']}")
        elif verbose and r["extra"]:
            print(f"  extra       {r['id']}: {r['extra']}")
    import tempfile

    probe_rows = score_probes(gt, results, Path(tempfile.mkdtemp(prefix="jitlint_probes_")))
    bad = [p for p in probe_rows if p["hazardous"]]
    good = [p for p in probe_rows if not p["hazardous"]]
    summary["probes_hazardous"] = len(bad)
    summary["probes_flagged"] = sum(p["ok"] for p in bad)
    summary["probes_clean"] = len(good)
    summary["probes_clean_with_findings"] = sum(not p["ok"] for p in good)
    print(f"  probes: hazardous flagged {summary['probes_flagged']}/{len(bad)},"
          f" compiling-and-matching probes with findings {summary['probes_clean_with_findings']}/{len(good)}")
    for p in probe_rows:
        if not p["ok"]:
            label = "MISSED" if p["hazardous"] else "FALSE ALARM"
            print(f"  {label:11s} probe {p['id']} {p['probe']!r} ({p['record']}): {p['findings']}")
    return {"summary": summary, "rows": rows, "probes": probe_rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ground-truth", type=Path, default=DEFAULT_GT)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the per-snippet rows here")
    args = parser.parse_args()
    if not (args.ground_truth / "results.json").exists():
        print(f"no catalog at {args.ground_truth}", file=sys.stderr)
        return 2
    data = score(args.ground_truth, args.verbose)
    if args.json:
        args.json.write_text(json.dumps(data, indent=2))
    s = data["summary"]
    return 0 if (s["flagged_right_family_at_mark"] == s["hazardous_snippets"] and not s["supported_with_findings"]) else 1


if __name__ == "__main__":
    sys.exit(main())
