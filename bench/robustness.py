"""Robustness of the real engine on real code: ``jitlint check --select ALL`` over site-packages.

Issue 4 asks for zero crashes on the installed sources of torch, torchvision, timm and
transformers (several thousand files). This runs the ``jitlint`` command line itself, once,
in a child process over the four package directories, and reports

- files: what jitlint says it checked next to what this script counts with ``os.walk``
  (jitlint's default excludes contain ``site-packages``, so the package directories are
  passed themselves; a mismatch means files were silently skipped and fails the run),
- findings in total, per family (JIT0..JIT5), per rule and per package,
- internal errors (JIT003, each listed with file and message; must be 0), syntax errors
  (JIT001), undecodable (JIT002) and skipped (JIT004) files,
- wall time, CPU time (user + system of the child and its workers) and peak RSS (the
  largest single process of the tree), read from the child's rusage with ``os.wait4``.

The packages are located with ``importlib.util.find_spec`` (never imported). A generated
``jitlint.toml`` makes the run independent of any configuration around site-packages and
raises ``max-file-size`` so that the few >1 MB files (torch's ``_VF.pyi``,
``common_methods_invocations.py``) are analysed rather than skipped as JIT004.

Run: ``../benchenv/bin/python bench/robustness.py [--jobs 2] [--json out.json]`` in the bench venv
(``python3.11 -m venv ../benchenv && ../benchenv/bin/pip install torch==2.14.1 torchvision==0.29.1
timm==1.0.31 transformers==5.23.0 -e .``, as bench/corpus/README.md describes).
Exit status 0 when there is no internal error, no crash of the command and no file missed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from typing import Dict, List, Tuple

PACKAGES = ("torch", "torchvision", "timm", "transformers")
FAMILIES = {
    "JIT0": "jitlint itself", "JIT1": "script constructs", "JIT2": "script types",
    "JIT3": "trace hazards", "JIT4": "deprecated API", "JIT5": "serialization/deployment",
}
# concise output: "path:row:col: CODE [*] message" (messages may span lines, e.g. libcst errors)
FINDING_RE = re.compile(r"^(?P<path>/.+?):(?P<row>\d+):(?P<col>\d+): (?P<code>JIT\d{3}) (?P<msg>.*)$")
FOUND_RE = re.compile(r"^Found (?P<n>\d+) errors? \((?P<files>\d+) files? checked\)\.$")
PASSED_RE = re.compile(r"^All checks passed! \((?P<files>\d+) files?\)$")


def package_dirs(names=PACKAGES) -> Dict[str, str]:
    """Directory of each package, from its import spec (find_spec of a top-level name does
    not execute the package; importing torch/transformers would cost seconds and memory)."""
    out = {}
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            sys.exit(f"{name} is not installed in {sys.executable} (use the bench venv of bench/corpus/README.md)")
        out[name] = os.path.realpath(list(spec.submodule_search_locations)[0])
    return out


def count_sources(root: str) -> Tuple[List[str], List[str]]:
    """(.py files, .pyi files) under ``root``, counted independently of jitlint's discovery."""
    py, pyi = [], []
    for directory, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                py.append(os.path.join(directory, name))
            elif name.endswith(".pyi"):
                pyi.append(os.path.join(directory, name))
    return py, pyi


def run_check(dirs: List[str], jobs: int, max_file_size: int, workdir: str) -> dict:
    """Run ``python -m jitlint check`` in a child; return its output and resource usage.

    Output goes to files (a pipe could fill up and block the child while we wait4 it).
    """
    config = os.path.join(workdir, "jitlint.toml")
    with open(config, "w") as fh:
        fh.write(f"max-file-size = {max_file_size}\n")
    cmd = [sys.executable, "-m", "jitlint", "check", *dirs, "--config", config, "--select", "ALL",
           "--no-cache", "--output-format", "concise", "--exit-zero", "--jobs", str(jobs)]
    out_path, err_path = os.path.join(workdir, "stdout.txt"), os.path.join(workdir, "stderr.txt")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=workdir)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path, encoding="utf-8", errors="replace") as fh:
        stdout = fh.read()
    with open(err_path, encoding="utf-8", errors="replace") as fh:
        stderr = fh.read()
    return {
        "cmd": cmd, "rc": proc.returncode, "stdout": stdout, "stderr": stderr, "wall_s": wall,
        # rusage of the child includes the pool workers it waited for; ru_maxrss is the
        # largest single process (KiB on Linux), not the sum over the tree
        "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
    }


def parse_concise(stdout: str) -> Tuple[List[dict], int, List[str]]:
    """Findings, the number of files jitlint reports having checked (-1 if absent), and any
    line that is neither a finding, a continuation of one, nor a summary line."""
    findings: List[dict] = []
    checked = -1
    stray: List[str] = []
    for line in stdout.splitlines():
        m = FINDING_RE.match(line)
        if m:
            findings.append({"path": m["path"], "row": int(m["row"]), "col": int(m["col"]),
                             "code": m["code"], "message": m["msg"].removeprefix("[*] ")})
            continue
        s = FOUND_RE.match(line) or PASSED_RE.match(line)
        if s:
            checked = int(s["files"])
            continue
        if line.startswith("[*] ") and "fixable" in line:
            continue
        if findings and checked < 0:
            findings[-1]["message"] += "\n" + line  # a multi-line message
        else:
            stray.append(line)
    return findings, checked, stray


def summarize(dirs: Dict[str, str], counts: Dict[str, Tuple[list, list]], run: dict) -> dict:
    findings, checked, stray = parse_concise(run["stdout"])
    by_code = Counter(f["code"] for f in findings)
    by_family = Counter(f["code"][:4] for f in findings)
    by_package: Counter = Counter()
    for f in findings:
        for name, d in dirs.items():
            if f["path"].startswith(d + os.sep):
                by_package[name] += 1
                break
    py = sum(len(c[0]) for c in counts.values())
    pyi = sum(len(c[1]) for c in counts.values())
    return {
        "packages": {n: {"dir": d, "py": len(counts[n][0]), "pyi": len(counts[n][1]),
                         "findings": by_package.get(n, 0)} for n, d in dirs.items()},
        "files_counted_py": py, "files_counted_pyi": pyi, "files_checked_by_jitlint": checked,
        "findings": len(findings), "by_family": dict(sorted(by_family.items())),
        "by_code": dict(sorted(by_code.items())),
        "internal_errors": [f for f in findings if f["code"] == "JIT003"],
        "syntax_errors": [f for f in findings if f["code"] == "JIT001"],
        "undecodable": [f for f in findings if f["code"] == "JIT002"],
        "skipped": [f for f in findings if f["code"] == "JIT004"],
        "rc": run["rc"], "stderr": run["stderr"], "stray_output": stray,
        "wall_s": round(run["wall_s"], 1), "cpu_s": round(run["cpu_s"], 1),
        "peak_rss_mb": round(run["peak_rss_mb"]), "cmd": run["cmd"],
    }


def missed_files(dirs: Dict[str, str], counts, max_file_size: int) -> List[str]:
    """Files this script counted that jitlint's discovery (same settings) does not return:
    only computed on a mismatch, to say which ones were skipped."""
    from dataclasses import replace

    from jitlint.linter.config import Settings
    from jitlint.linter.discovery import discover

    found = discover(list(dirs.values()), replace(Settings(), max_file_size=max_file_size))
    seen = set(found.files)
    return sorted(p for py, pyi in counts.values() for p in py + pyi if p not in seen)


def report(s: dict) -> str:
    lines = ["jitlint check --select ALL --no-cache over site-packages"]
    for name, p in s["packages"].items():
        lines.append(f"  {name:<13} {p['py']:>5} .py {p['pyi']:>3} .pyi  {p['findings']:>6} findings  ({p['dir']})")
    counted = s["files_counted_py"] + s["files_counted_pyi"]
    ok = "OK" if counted == s["files_checked_by_jitlint"] else "MISMATCH: files were skipped"
    lines.append(f"files: jitlint checked {s['files_checked_by_jitlint']}, counted {counted} "
                 f"({s['files_counted_py']} .py + {s['files_counted_pyi']} .pyi) -> {ok}")
    lines.append(f"findings: {s['findings']}")
    for fam, n in s["by_family"].items():
        lines.append(f"  {fam}xx {FAMILIES.get(fam, ''):<26} {n:>6}")
    lines.append("  per rule: " + ", ".join(f"{c} {n}" for c, n in s["by_code"].items()))
    lines.append(f"internal errors (JIT003): {len(s['internal_errors'])}")
    for f in s["internal_errors"]:
        lines.append(f"  {f['path']}:{f['row']}:{f['col']}: {f['message']}")
    for key, code in (("syntax_errors", "JIT001"), ("undecodable", "JIT002"), ("skipped", "JIT004")):
        lines.append(f"{key.replace('_', ' ')} ({code}): {len(s[key])}")
        for f in s[key][:20]:
            lines.append(f"  {f['path']}:{f['row']}: {f['message']}")
    lines.append(f"wall {s['wall_s']} s, CPU {s['cpu_s']} s (user+sys, workers included), "
                 f"peak RSS {s['peak_rss_mb']} MB (largest process)")
    lines.append(f"exit code of jitlint: {s['rc']}")
    if s["stderr"].strip():
        lines.append("stderr of jitlint:\n  " + "\n  ".join(s["stderr"].strip().splitlines()[-20:]))
    if s["stray_output"]:
        lines.append("unparsed output lines:\n  " + "\n  ".join(s["stray_output"][:20]))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=1, help="jitlint worker processes (default 1)")
    ap.add_argument("--max-file-size", type=int, default=4_000_000,
                    help="bytes; default analyses every installed file (jitlint's own default is 1 MB)")
    ap.add_argument("--packages", default=",".join(PACKAGES), help="comma-separated (default: all four)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    dirs = package_dirs([p for p in args.packages.split(",") if p])
    counts = {name: count_sources(d) for name, d in dirs.items()}
    with tempfile.TemporaryDirectory(prefix="jitlint-robustness-") as workdir:
        run = run_check(list(dirs.values()), args.jobs, args.max_file_size, workdir)
    s = summarize(dirs, counts, run)
    print(report(s))
    counted = s["files_counted_py"] + s["files_counted_pyi"]
    if counted != s["files_checked_by_jitlint"] and run["rc"] in (0, 1):
        missed = missed_files(dirs, counts, args.max_file_size)
        s["missed"] = missed
        print(f"files not discovered ({len(missed)}):\n  " + "\n  ".join(missed[:50]))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(s, fh, indent=2)
    bad = (s["internal_errors"] or run["rc"] not in (0, 1) or counted != s["files_checked_by_jitlint"]
           or s["stray_output"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
