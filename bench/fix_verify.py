"""Benchmark of ``jitlint fix --verify`` on the broken models in ``bench/fix_verify_models/``.

Each folder is a small project (a model, often with helpers in other files, and ``case.py``
whose ``case()`` returns ``(model, inputs)``). Each is copied to a temporary directory,
fixed with ``fix_and_verify(..., unsafe=True)`` and reported: does the target verify after
the kept fixes, is eager unchanged, how long it took, and which fixes verification dropped
(each dropped fix is a bug in a rule's fix).

    python bench/fix_verify.py [--save-load] [--safe-only] [NAME ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "fix_verify_models")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*")
    parser.add_argument("--save-load", action="store_true", help="also run the fresh-process save/load check (slower)")
    parser.add_argument("--safe-only", action="store_true", help="safe fixes only (default: --unsafe-fixes)")
    args = parser.parse_args(argv)
    from jitlint.runtime import fix_and_verify

    names = args.names or sorted(d for d in os.listdir(MODELS) if os.path.isdir(os.path.join(MODELS, d))
                                 and not d.startswith(("_", ".")))
    rows, dropped = [], []
    for name in names:
        tmp = tempfile.mkdtemp(prefix="jitlint_bench_fv_")
        try:
            project = os.path.join(tmp, name)
            shutil.copytree(os.path.join(MODELS, name), project,
                            ignore=shutil.ignore_patterns("__pycache__"))
            started = time.perf_counter()
            report = fix_and_verify([project], [os.path.join(project, "case.py") + "::case"],
                                    unsafe=not args.safe_only, save_load=args.save_load, use_cache=False)
            seconds = time.perf_counter() - started
            (target,) = report.targets
            before_ok = bool(target.baseline and target.baseline.get("ok"))
            rows.append((name, before_ok, target.verifies, target.eager_compared and not target.eager_changed,
                         len(report.verified), len(report.dropped), len(report.not_covered), len(report.findings),
                         report.verifications, seconds))
            for f in report.dropped:
                dropped.append((name, f.code, os.path.relpath(f.path, project), f.row, f.message, f.reason))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        r = rows[-1]
        print(f"{r[0]:<22} before {'ok' if r[1] else 'FAIL':<4}  after {'ok' if r[2] else 'FAIL':<4}  "
              f"eager {'same' if r[3] else 'CHANGED'}  fixes kept {r[4]} dropped {r[5]} not covered {r[6]}  "
              f"remaining {r[7]}  {r[8]} verification(s)  {r[9]:.1f}s", flush=True)
    n = len(rows)
    if not n:
        return 0
    print()
    print(f"models: {n}; verifying before: {sum(r[1] for r in rows)}/{n}; verifying after fix --verify: "
          f"{sum(r[2] for r in rows)}/{n} ({100 * sum(r[2] for r in rows) / n:.0f}%)")
    print(f"eager unchanged: {sum(r[3] for r in rows)}/{n} ({100 * sum(r[3] for r in rows) / n:.0f}%)")
    times = sorted(r[9] for r in rows)
    print(f"time per model: median {times[n // 2]:.1f}s, max {times[-1]:.1f}s, total {sum(times):.1f}s "
          f"(save/load {'on' if args.save_load else 'off'}, {'safe' if args.safe_only else 'safe + unsafe'} fixes)")
    print(f"fixes kept and verified: {sum(r[4] for r in rows)}, dropped: {len(dropped)}, "
          f"not covered: {sum(r[6] for r in rows)}")
    for name, code, path, row, message, reason in dropped:
        print(f"  dropped: {name}: {code} at {path}:{row} ({message}): {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
