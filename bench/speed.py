"""Speed and memory of ``jitlint check`` against its peers, measured in one run.

Corpus: every ``.py`` file under ``torch/nn`` and ``torch/ao`` of the installed torch (found
without importing it). Each measurement runs in its own process tree and reports wall time,
CPU time (user + system, children included) and peak RSS:

- ``ast.parse`` and bare ``libcst.parse_module`` over the corpus (the floor any libcst linter pays),
  also with the garbage-collector thresholds jitlint sets while analysing (so the ratio against
  both is printed: jitlint's own GC tuning is not what makes it fast relative to the parse),
- ``jitlint check`` cold (one process, ``--no-cache``), cold with ``-j 2``, and warm (cache filled),
- TorchFix (``python -m torchfix -j 1``) over the same files, from its own venv because it pins an
  older libcst (created on first use in ``bench/.venv-torchfix``; ``--torchfix-python`` to reuse one).

jitlint's byte-code is written first, as ``pip install`` does for a wheel (see compile_jitlint).

Targets (issue 2): cold single-process CPU <= 2x the bare libcst parse; >= 5x faster than TorchFix;
warm <= 5% of cold. Run: ``python bench/speed.py`` (add ``--repeat 3`` to take the best of three).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent

WRAPPER = r"""
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024,
                  "rc": proc.returncode, "err": proc.stderr.decode(errors="replace")[-400:]}))
"""

PARSE = r"""
import sys
import gc
if "--gc-tuned" in sys.argv:
    gc.set_threshold(50_000, 50, 100)  # what jitlint does while analysing (engine._gc_tuned)
import {mod}
files = open(sys.argv[1]).read().split("\n")
for f in files:
    with open(f, encoding="utf-8") as fh:
        {mod}.{fn}(fh.read())
"""


def corpus() -> list:
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("torch is not installed in this interpreter: pip install torch==2.13.0")
    root = Path(list(spec.submodule_search_locations)[0])
    files = sorted(str(p) for d in ("nn", "ao") for p in (root / d).rglob("*.py"))
    return files


def compile_jitlint() -> int:
    """Write jitlint's byte-code, as ``pip install`` does for a wheel (libcst's, the baseline's,
    is in site-packages already). An editable checkout run with PYTHONDONTWRITEBYTECODE=1 (or
    from a read-only tree) would otherwise compile its ~200 modules from source on every start:
    ~0.18 s CPU of the cold run here that measures Python, not the analysis."""
    import compileall

    spec = importlib.util.find_spec("jitlint")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("jitlint is not installed in this interpreter: pip install -e .")
    root = Path(list(spec.submodule_search_locations)[0])
    ok = compileall.compile_file(str(root / "__init__.py"), quiet=1)
    for sub in ("linter", "codemods", "runtime", "plugins"):
        ok = compileall.compile_dir(str(root / sub), quiet=1) and ok
    return int(bool(ok))


def measure(cmd: list) -> dict:
    out = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def best(cmd: list, repeat: int, prepare=None) -> dict:
    runs = []
    for _ in range(repeat):
        if prepare:
            prepare()
        runs.append(measure(cmd))
    return min(runs, key=lambda r: r["cpu"])


def torchfix_python(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    env_dir = HERE / ".venv-torchfix"
    python = env_dir / "bin" / "python"
    if not python.exists():
        print("creating bench/.venv-torchfix with TorchFix (once)...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(env_dir)
        r = subprocess.run([str(python), "-m", "pip", "install", "-q", "torchfix"], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"could not install TorchFix: {r.stderr[-300:]}", file=sys.stderr)
            return None
    return str(python)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--torchfix-python", help="a Python with torchfix installed")
    parser.add_argument("--no-torchfix", action="store_true")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()

    compiled = compile_jitlint()
    files = corpus()
    lines = sum(Path(f).read_text(encoding="utf-8").count("\n") for f in files)
    tmp = Path(tempfile.mkdtemp(prefix="jitlint_speed_"))
    listing = tmp / "files.txt"
    listing.write_text("\n".join(files))
    cache_dir = tmp / "cache"
    py = sys.executable
    jitlint = [py, "-m", "jitlint", "check", "--exit-zero", "--quiet", "--select", "ALL"]

    results = {}
    results["ast.parse"] = best([py, "-c", PARSE.format(mod="ast", fn="parse"), str(listing)], args.repeat)
    results["libcst.parse_module"] = best([py, "-c", PARSE.format(mod="libcst", fn="parse_module"), str(listing)], args.repeat)
    results["libcst.parse_module, GC tuned"] = best(
        [py, "-c", PARSE.format(mod="libcst", fn="parse_module"), str(listing), "--gc-tuned"], args.repeat)
    results["jitlint cold -j1"] = best(jitlint + ["--no-cache", "-j", "1", *files], args.repeat)
    results["jitlint cold -j2"] = best(jitlint + ["--no-cache", "-j", "2", *files], args.repeat)

    def fill_cache():
        subprocess.run(jitlint + ["--cache-dir", str(cache_dir), *files], stdout=subprocess.DEVNULL, check=False)

    fill_cache()
    results["jitlint warm (cache)"] = best(jitlint + ["--cache-dir", str(cache_dir), *files], args.repeat)
    tf = None if args.no_torchfix else torchfix_python(args.torchfix_python)
    if tf:
        results["TorchFix -j1"] = best([tf, "-m", "torchfix", "-j", "1", *files], args.repeat)

    for name, r in results.items():
        if r["rc"] not in (0, 1):
            print(f"warning: {name} exited {r['rc']}: {r['err']}", file=sys.stderr)
    print(f"corpus: {len(files)} files, {lines} lines (torch/nn + torch/ao), Python {sys.version.split()[0]}")
    print(f"jitlint's byte-code {'written first (as pip install does)' if compiled else 'could not be written'}")
    print(f"{'run':32s} {'wall s':>8s} {'cpu s':>8s} {'peak MB':>8s}")
    for name, r in results.items():
        print(f"{name:32s} {r['wall']:8.2f} {r['cpu']:8.2f} {r['rss_mb']:8.0f}")
    parse = results["libcst.parse_module"]
    cold = results["jitlint cold -j1"]
    warm = results["jitlint warm (cache)"]
    print()
    tuned = results["libcst.parse_module, GC tuned"]
    print(f"cold CPU / bare libcst parse CPU : {cold['cpu'] / parse['cpu']:.2f}x   (target <= 2x)")
    print(f"cold CPU / GC-tuned parse CPU    : {cold['cpu'] / tuned['cpu']:.2f}x   (the same GC settings jitlint uses)")
    print(f"warm wall / cold wall            : {100 * warm['wall'] / cold['wall']:.1f}%   (target <= 5%)")
    print(f"-j2 wall / -j1 wall              : {results['jitlint cold -j2']['wall'] / cold['wall']:.2f}x")
    if "TorchFix -j1" in results:
        tfr = results["TorchFix -j1"]
        print(f"TorchFix CPU / jitlint cold CPU  : {tfr['cpu'] / cold['cpu']:.2f}x  (target >= 5x)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
