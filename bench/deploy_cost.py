"""What ``verify --export`` and ``verify --cpp`` cost over ``verify`` alone.

    python bench/deploy_cost.py [--repeat N] [--stat min|median] [--models cnn,attention]

For each model of ``bench/models_for_verify.py`` this times ``jitlint.runtime.verify`` on CPU
(script + trace, save/load in one fresh process: the ``verify`` baseline), then the same call
with ``export=True`` (``torch.export.export`` with the dims that differ between inputs dynamic,
every input run and compared, ``torch.export.save`` and a fresh-process ``torch.export.load``)
and with ``cpp=True`` (both saved archives loaded with ``torch::jit::load`` in the C++ loader
and compared). ``--cpp`` is timed twice:

* **cold**: the first call of a torch version, which builds the loader (``g++`` against the
  wheel's libtorch) into an empty cache directory (``JITLINT_CPP_CACHE``, a temporary one);
  measured once, on the first model;
* **warm**: the loader is in the cache; each call starts the C++ program once per archive.

Each warm figure is the ``--stat`` (default min, the usual estimate on a busy machine) of
``--repeat`` interleaved runs after one warm-up, torch limited to one intra-op thread, static
cross-check off (it is the same for all three). Wall-clock seconds; the fresh processes are
inside every column. Without a C++ compiler the ``--cpp`` columns say so. A model that
``torch.export`` cannot handle on these inputs (the LSTM tagger: ``nn.LSTM`` specialises the
sequence length) is still timed; the verdict column says so.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from jitlint.runtime import cpp_load, verify  # noqa: E402
from models_for_verify import CASES  # noqa: E402


def timed(make, **options):
    """(seconds, verified) of one verify call on a fresh model."""
    model, inputs = make()
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = verify(model, inputs, devices=["cpu"], static_check=False, **options)
    return time.perf_counter() - started, report.ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stat", choices=("min", "median"), default="min")
    parser.add_argument("--models", default=",".join(CASES), help="comma-separated, from models_for_verify.CASES")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    pick = min if args.stat == "min" else statistics.median
    names = [n for n in args.models.split(",") if n]
    has_cxx = cpp_load.compiler() is not None
    print(f"torch {torch.__version__}, python {platform.python_version()}, {os.cpu_count()} CPU(s), "
          f"{args.stat} of {args.repeat} run(s) after a warm-up, 1 torch thread, C++ compiler: "
          f"{cpp_load.compiler() or 'none'}")

    head = (f"{'model':12s} {'verify':>8s} {'--export':>9s} {'extra':>8s} {'export verdict':>15s} "
            f"{'--cpp warm':>11s} {'extra':>8s}")
    cold = None
    with tempfile.TemporaryDirectory() as cache:
        previous = os.environ.get("JITLINT_CPP_CACHE")
        os.environ["JITLINT_CPP_CACHE"] = cache
        try:
            if has_cxx:
                cold = timed(CASES[names[0]], cpp=True)[0]
            print(head, "-" * len(head), sep="\n", flush=True)
            first_warm = None
            for name in names:
                make = CASES[name]
                kinds = {"verify": {}, "export": {"export": True}}
                if has_cxx:
                    kinds["cpp"] = {"cpp": True}
                verdict = {kind: timed(make, **options)[1] for kind, options in kinds.items()}  # warm-up
                samples = {k: [] for k in kinds}
                for _ in range(args.repeat):
                    for kind, options in kinds.items():
                        samples[kind].append(timed(make, **options)[0])
                t = {k: pick(v) for k, v in samples.items()}
                base = t["verify"]
                export_verdict = "verified" if verdict["export"] else "fails"
                cpp = f"{t['cpp']:10.2f}s {t['cpp'] - base:+7.2f}s" if "cpp" in t else f"{'n/a':>11s}"
                print(f"{name:12s} {base:7.2f}s {t['export']:8.2f}s {t['export'] - base:+7.2f}s {export_verdict:>15s} "
                      f"{cpp}", flush=True)
                if first_warm is None and "cpp" in t:
                    first_warm = t["cpp"]
        finally:
            if previous is None:
                os.environ.pop("JITLINT_CPP_CACHE", None)
            else:
                os.environ["JITLINT_CPP_CACHE"] = previous
    print()
    if cold is not None:
        print(f"--cpp cold (first call of this torch version: builds the loader), {names[0]}: {cold:.1f}s, "
              f"{cold - first_warm:.1f}s over a warm --cpp call")
    else:
        print("--cpp: no C++ compiler on PATH (set CXX or install g++/clang++): not measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
