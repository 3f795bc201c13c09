"""``jitlint verify --export`` over bench/export_corpus/: does it pass the modules torch.export
handles and fail the broken ones with the JIT6xx code the linter gives them?

For every module of ``bench/export_corpus.py`` (its two inputs of different sizes), the
reference verdict is that bench's own (``export_verdict``: export with every dim ``Dim.AUTO``,
run both inputs, compare with eager), and the expected code is the linter's JIT6xx finding
(``--modes export``) when there is one. ``verify(model, inputs, export=True)`` must then say
``ok`` for an ``ok`` module, and for a ``bad`` one fail its ``export`` row with that code. Note
that verify marks dynamic only the dims whose sizes differ between the inputs (the bench
marks every dim), so a guard on a dim both inputs share is not a failure for verify.

    python bench/verify_export_corpus.py                 # a table and the agreement; exit 1 on a disagreement
    python bench/verify_export_corpus.py --only counter.py
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import export_corpus as ec  # noqa: E402

from jitlint.linter.config import Settings  # noqa: E402
from jitlint.linter.engine import check_source  # noqa: E402
from jitlint.runtime import verify  # noqa: E402
from jitlint.runtime.deploy_checks import _quiet_torch_logs  # noqa: E402


def _load(path: Path):
    """The module, registered in ``sys.modules`` (verify finds a model's source file through it)."""
    spec = importlib.util.spec_from_file_location(f"export_corpus_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="FILE", help="just these modules (e.g. counter.py)")
    args = parser.parse_args(argv)
    settings = Settings(select=["JIT6"], modes=["export"])
    rows = []
    started = time.perf_counter()
    for name, (root, *shapes) in ec.MODELS.items():
        if args.only and name not in args.only:
            continue
        path = ec.HERE / name
        static = sorted({f.code for f in check_source(path.read_text(), name, settings) if f.code.startswith("JIT6")})
        cls = getattr(_load(path), root)
        with _quiet_torch_logs():  # torch.export logs guards and the partial graph when it fails
            reference, why = ec.export_verdict(cls, shapes)
        torch.manual_seed(0)
        inputs = [(torch.randn(*s),) for s in shapes]
        torch.manual_seed(0)
        model = cls().eval()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = verify(model, inputs, modes=["script"], devices=["cpu"], export=True, static_check=False)
        row = report.result("export", "cpu")
        fails = [p for p in row.problems if p.severity == "fail"]
        got = "ok" if not fails else "bad"
        codes = sorted({p.code for p in fails if p.code})
        if reference == "ok":
            agree = got == "ok"
        else:
            agree = got == "bad" and (not static or bool(set(codes) & set(static)))
        checks = ",".join(sorted({p.check for p in fails}))
        rows.append((name, reference, why, static, got, checks, codes, agree))
    elapsed = time.perf_counter() - started
    agree = sum(r[-1] for r in rows)
    print(f"{'module':18s} {'export':6s} {'linter':14s} {'verify':6s} {'failed check':13s} codes")
    for name, reference, why, static, got, checks, codes, ok in rows:
        print(f"{name:18s} {reference:6s} {','.join(static) or '-':14s} {got:6s} {checks or '-':13s} "
              f"{','.join(codes) or '-'}{'' if ok else '   <-- disagrees'}")
    bad = [r for r in rows if r[1] == "bad"]
    print(f"\n{len(rows)} modules ({len(bad)} bad for torch.export): verify --export agrees on {agree}/{len(rows)} "
          f"(ok passes {sum(r[-1] for r in rows if r[1] == 'ok')}/{len(rows) - len(bad)}, bad fails with the "
          f"linter's code {sum(r[-1] for r in bad)}/{len(bad)}; bad without a static code: "
          f"{sum(1 for r in bad if not r[3])}); torch {torch.__version__}, {elapsed:.1f} s")
    return 0 if agree == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
