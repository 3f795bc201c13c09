"""Does the cost of one file grow linearly with its size? (``python bench/large_file.py``)

Generates one large module (many small nn.Module classes and helper functions, the shape
of generated or concatenated model code) and times ``jitlint check`` on it next to torch's
own ``nn/`` package (similar line count, spread over many files), in the same run. The
number that matters is the ratio of the per-line costs: near 1 means one big file costs what
the same lines cost in many files; a quadratic path shows up as a ratio that grows with
``--classes``.

Both runs use one process (``-j 1``) and no cache, so they measure analysis, not scheduling.
Needs torch importable only to find its ``nn/`` folder (``pip install torch==2.13.0``), or
pass ``--baseline DIR``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

CLASS_TEMPLATE = '''
class Block{i}(nn.Module):
    def __init__(self, dim: int = {dim}):
        super().__init__()
        self.proj = nn.Linear(dim, dim)
        self.scale = 0.5

    def forward(self, x, mask=None):
        y = self.proj(x) * self.scale
        if mask is not None:
            y = y.masked_fill(mask, 0.0)
        return helper_{i}(y, x.size(0))


def helper_{i}(y: torch.Tensor, n: int) -> torch.Tensor:
    out = []
    for k in range(n):
        out.append(y[k] + k)
    return torch.stack(out)


def extra_{i}(a, b=1):
    return a + b
'''


def generate(classes: int) -> str:
    head = "import torch\nimport torch.nn as nn\n\n"
    return head + "".join(CLASS_TEMPLATE.format(i=i, dim=8 + i % 7) for i in range(classes))


def count_lines(path: str) -> int:
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as fh:
            return sum(1 for _ in fh)
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(root, name), encoding="utf-8", errors="replace") as fh:
                    total += sum(1 for _ in fh)
    return total


def time_check(path: str, config: str) -> float:
    cmd = [sys.executable, "-m", "jitlint", "check", path, "--config", config, "--no-cache", "-j", "1",
           "--select", "ALL"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"jitlint failed on {path}: {proc.stderr[-2000:]}")
    return elapsed


def time_parse(path: str) -> float:
    """A bare libcst parse of the same file in a fresh process (the floor for any libcst tool)."""
    code = f"import libcst; libcst.parse_module(open({path!r}, encoding='utf-8').read())"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import libcst"], check=True)
    base = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return max(time.perf_counter() - start - base, 1e-9)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--classes", type=int, default=2400, help="classes in the generated file (3 functions each)")
    ap.add_argument("--baseline", help="directory to compare with (default: torch's nn/ package)")
    args = ap.parse_args()
    baseline = args.baseline
    if baseline is None:
        import importlib.util

        spec = importlib.util.find_spec("torch")
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit("torch is not installed: pass --baseline DIR")
        baseline = os.path.join(list(spec.submodule_search_locations)[0], "nn")
    with tempfile.TemporaryDirectory(prefix="jitlint_large_") as tmp:
        config = os.path.join(tmp, "jitlint.toml")
        with open(config, "w", encoding="utf-8") as fh:
            fh.write("max-file-size = 1000000000\n")  # the generated file is larger than the default limit
        rows = []
        for classes in (max(1, args.classes // 4), args.classes):
            big = os.path.join(tmp, f"generated_{classes}.py")
            with open(big, "w", encoding="utf-8") as fh:
                fh.write(generate(classes))
            lines = count_lines(big)
            rows.append((classes, lines, time_check(big, config), time_parse(big)))
        base_lines = count_lines(baseline)
        t_base = time_check(baseline, config)
    per_base = t_base / base_lines * 1e6
    for classes, lines, t, parse in rows:
        print(f"one generated file: {lines:>7} lines, {classes * 3:>5} functions: {t:6.2f} s "
              f"({t / lines * 1e6:5.1f} us/line, {t / parse:.2f}x a bare libcst parse of it)")
    print(f"torch nn/ package:  {base_lines:>7} lines in many files:      {t_base:6.2f} s ({per_base:5.1f} us/line)")
    (_, small_lines, small_t, _), (_, big_lines, big_t, _) = rows
    growth = (big_t / big_lines) / (small_t / small_lines)
    print(f"per-line cost, 4x the file: {growth:.2f}x (1.0 = linear)")
    print(f"per-line ratio (one large file / many files): {big_t / big_lines * 1e6 / per_base:.2f}")


if __name__ == "__main__":
    main()
