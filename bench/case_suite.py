"""jitlint's recall of the compiler's rejections and its precision on bench/cases/.

Each ``bench/cases/*.py`` is one small case written from a row of the coverage table
(``docs/compiler-errors.md``; the first line names the row the case was written for, or ``ok``
for a construct meant to compile): a module whose ``root`` is a function or an ``nn.Module``
class. ``bench/cases/labels.json`` holds what torch 2.13's ``torch.jit.script(root)`` (of
``root()`` for a module) did with each case: ``reject`` (with the first line of the error)
or ``accept``. Compiling only: nothing is run.

    python bench/case_suite.py --label      # (re)label every case with the real compiler
    python bench/case_suite.py              # recall / precision of jitlint against the labels
    python bench/case_suite.py --list       # ... and every miss and false alarm
    python bench/case_suite.py --json FILE  # every figure and case as JSON

A case counts as flagged when jitlint (``--select ALL``, ``root`` as the script root) reports
any script-family finding (JIT1xx, JIT2xx) in it. Recall = flagged rejected cases / rejected
cases; precision = flagged rejected cases / flagged cases. Labelling runs every case in one
subprocess (each case imported as a module of its own name, so compiled classes never collide).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pathlib
import subprocess
import sys
import warnings

HERE = pathlib.Path(__file__).resolve().parent
CASES = HERE / "cases"
LABELS = CASES / "labels.json"
SCRIPT_FAMILIES = ("JIT1", "JIT2")


def case_files() -> list[pathlib.Path]:
    return sorted(CASES.glob("*.py"))


def _label_worker(paths: list[str]) -> None:
    import torch

    out = {}
    for i, p in enumerate(paths):
        path = pathlib.Path(p)
        name = f"jitlint_case_{i}_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                spec.loader.exec_module(module)
                root = module.root
                if isinstance(root, type) and issubclass(root, torch.nn.Module):
                    root = root()
                torch.jit.script(root)
            out[path.name] = {"label": "accept"}
        except Exception as exc:  # noqa: BLE001 - any compile failure is a rejection
            first = (str(exc).strip().splitlines() or [""])[0]
            out[path.name] = {"label": "reject", "error": f"{type(exc).__name__}: {first}"[:300]}
    json.dump(out, sys.stdout)


def label() -> dict:
    files = [str(p) for p in case_files()]
    proc = subprocess.run([sys.executable, __file__, "--worker", *files],
                          capture_output=True, text=True, check=True)
    labels = json.loads(proc.stdout)
    import torch  # noqa: F401 - only for the version stamp

    data = {"torch_version": torch.__version__.split("+")[0], "cases": labels}
    LABELS.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return data


def lint_case(path: pathlib.Path) -> list:
    from jitlint.linter.config import Settings
    from jitlint.linter.engine import check_source
    from jitlint.linter.rules.base import SCRIPT

    settings = Settings(select=["ALL"], modes=[SCRIPT], script_roots=["root"])
    return [f for f in check_source(path.read_text(), path.name, settings)
            if f.code.startswith(SCRIPT_FAMILIES)]


def score() -> dict:
    labels = json.loads(LABELS.read_text())["cases"]
    rows = []
    for path in case_files():
        if path.name not in labels:
            raise SystemExit(f"{path.name} has no label: run python bench/case_suite.py --label")
        findings = lint_case(path)
        rows.append({"case": path.name, "label": labels[path.name]["label"],
                     "error": labels[path.name].get("error"),
                     "codes": sorted({f.code for f in findings})})
    rejected = [r for r in rows if r["label"] == "reject"]
    flagged = [r for r in rows if r["codes"]]
    hits = [r for r in rejected if r["codes"]]
    return {
        "cases": len(rows), "rejected": len(rejected), "flagged": len(flagged),
        "true_positives": len(hits),
        "recall": len(hits) / len(rejected) if rejected else 1.0,
        "precision": len(hits) / len(flagged) if flagged else 1.0,
        "rows": rows,
    }


def _group(case: str) -> str:
    """The family a case file belongs to: op_, method_, user_fn_, user_method_, misc_ or held_
    (held_: written after the rules they exercise, as a check that the rules were not fitted
    to the cases)."""
    for prefix in ("user_method", "user_fn", "method", "op", "held", "misc"):
        if case.startswith(prefix + "_"):
            return prefix
    return "other"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", action="store_true", help="relabel the cases with torch")
    ap.add_argument("--list", action="store_true", help="list misses and false alarms")
    ap.add_argument("--json", metavar="FILE", help="write every figure and case as JSON")
    ap.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker is not None:
        _label_worker(args.worker)
        return 0
    if args.label:
        data = label()
        n_rej = sum(v["label"] == "reject" for v in data["cases"].values())
        print(f"labelled {len(data['cases'])} cases with torch {data['torch_version']}: {n_rej} rejected")
        return 0
    result = score()
    print(f"cases: {result['cases']}  rejected by torch.jit.script: {result['rejected']}  "
          f"flagged by jitlint: {result['flagged']}")
    print(f"recall of rejections: {result['recall']:.1%} ({result['true_positives']}/{result['rejected']})")
    print(f"precision: {result['precision']:.1%} ({result['true_positives']}/{result['flagged']})")
    groups = {}
    for r in result["rows"]:
        groups.setdefault(_group(r["case"]), []).append(r)
    for name, rows in sorted(groups.items()):
        rej = [r for r in rows if r["label"] == "reject"]
        hit = sum(1 for r in rej if r["codes"])
        false = sum(1 for r in rows if r["label"] == "accept" and r["codes"])
        print(f"  {name:12} {len(rows):4} cases, {len(rej):4} rejected: {hit} flagged, {len(rej) - hit} missed, "
              f"{false} false alarms")
    if args.list:
        for r in result["rows"]:
            if r["label"] == "reject" and not r["codes"]:
                print(f"  miss         {r['case']}: {r['error']}")
            elif r["label"] == "accept" and r["codes"]:
                print(f"  false alarm  {r['case']}: {', '.join(r['codes'])}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
