"""Record what the real TorchScript compiler does with real model zoos (issue 4).

    ../benchenv/bin/python bench/corpus/build_ground_truth.py [--only LIB] [--jobs 2]

For every model of ``zoo.py`` (torchvision, timm, transformers; random weights, nothing
downloaded) a child process builds the model in eval mode and records into
``ground_truth.json``:

* the model's top-level class and the classes of all its submodules, with source files
  (jitlint's static findings are compared per class);
* ``torch.jit.script``: ok, or the error (type, first line, every ``File "...", line N``
  the message quotes, the "is being compiled since it was called from" chain, the jitlint
  rule code ``runtime/rule_map.py`` maps it to); if it scripts, scripted vs eager on inputs
  A and B;
* ``torch.jit.trace`` with input A (default settings, and ``check_trace=False`` too when
  the default raises), the TracerWarnings with file:line, then traced vs eager on A, on B
  (another batch size and, where the model takes it, another spatial size / sequence
  length) and on C where the model takes one (what B did not vary: another spatial size,
  sequence length and batch, number of images / boxes);
* the device check ``trace.meta``: eager (a deep copy moved with ``.to("meta")``) and the
  trace (parameters and buffers moved to meta) run on input B moved to the ``meta`` device;
  a trace whose outputs stay on CPU, or that raises a device error, where eager's follow
  the input, has the trace-time device baked in ("device-baked").

It is a measurement, not a test: failures are recorded as failures.  One child per model
(``--timeout`` seconds, killed after) keeps a crash, a hang or a 3 GB model from taking the
run down; a child writes its record after every stage, so a timeout still says how far it
got.  Paths are stored relative to site-packages (``torchvision/models/resnet.py``).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import sys
import tempfile
import threading
import time
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "ground_truth.json")
MESSAGE_LIMIT = 500

# nothing may be downloaded while a model is built
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


# --------------------------------------------------------------------------------------
# parent: schedule one child per model, merge their records
# --------------------------------------------------------------------------------------


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("torchvision", "timm", "transformers"), action="append",
                        help="library to (re)measure; repeatable; default: all three")
    parser.add_argument("--models", help="comma-separated model names (debugging); other records are kept")
    parser.add_argument("--jobs", type=int, default=2, help="models measured at once (default 2)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per model (default 600)")
    parser.add_argument("--output", default=OUTPUT)
    args = parser.parse_args(argv)
    import multiprocessing

    import zoo

    libraries = args.only or list(zoo.LIBRARIES)
    wanted = set(args.models.split(",")) if args.models else None
    todo = [(lib, case.name) for lib in libraries for case in zoo.cases(lib)
            if wanted is None or case.name in wanted]
    if wanted:
        unknown = wanted - {name for _, name in todo}
        if unknown:
            parser.error(f"unknown model(s) for {libraries}: {sorted(unknown)}")

    data = _load(args.output)
    measured = {(lib, name) for lib, name in todo}
    if wanted is None:  # a full re-run of a library replaces all its records
        data["models"] = [m for m in data["models"] if m["library"] not in libraries]
    else:
        data["models"] = [m for m in data["models"] if (m["library"], m["name"]) not in measured]
    full = wanted is None and set(libraries) == set(zoo.LIBRARIES)
    runs = [] if full else data.get("meta", {}).get("runs", [])
    data["meta"] = _meta()
    this_run = {"generated": _now(), "command": " ".join(["build_ground_truth.py", *sys.argv[1:]]),
                "libraries": libraries, "models": len(todo), "jobs": args.jobs, "timeout_seconds": args.timeout}
    data["meta"]["runs"] = runs + [this_run]

    threads = max(1, (os.cpu_count() or 1) // max(1, args.jobs))
    ctx = multiprocessing.get_context("forkserver")
    preload = ["torch", *libraries, "measure"]
    if "transformers" in libraries:  # the library's top level is lazy; its model base is not
        preload.append("transformers.modeling_utils")
    ctx.set_forkserver_preload(preload)
    lock = threading.Lock()
    start = time.monotonic()
    done = 0

    def run(item):
        lib, name = item
        record = _run_child(ctx, lib, name, args.timeout, threads)
        nonlocal done
        with lock:
            done += 1
            data["models"].append(record)
            this_run["seconds"] = round(time.monotonic() - start, 1)
            _save(args.output, data)
            print(f"[{done}/{len(todo)} {time.monotonic() - start:7.0f}s] {lib} {name}: {_one_line(record)}",
                  flush=True)

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(run, todo))
    print(f"wrote {os.path.relpath(args.output)} ({len(todo)} models in {time.monotonic() - start:.0f}s)")
    return 0


def _run_child(ctx, library: str, name: str, timeout: float, threads: int) -> Dict[str, Any]:
    """Measure one model in a child process; a timeout or crash keeps the partial record.

    Children are forked from a forkserver that imported torch and the model libraries once
    (importing them costs ~15 s per fresh interpreter here, more than most models take);
    the forkserver never runs a torch op, so no thread pool is forked.
    """
    import measure

    fd, out = tempfile.mkstemp(prefix="gt-", suffix=".json")
    os.close(fd)
    err = out + ".stderr"
    started = time.monotonic()
    status, detail = "done", None
    proc = ctx.Process(target=measure.child_entry, args=(library, name, out, threads, err), daemon=True)
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        status, detail = "timeout", f"killed after {timeout:.0f}s"
    elif proc.exitcode != 0:
        status = "crashed"
        detail = f"exit code {proc.exitcode}: " + _tail(_read(err))
    try:
        with open(out) as fh:
            record = json.load(fh)
    except (OSError, ValueError):
        record = {"library": library, "name": name, "stage": "start"}
    for path in (out, err, out + ".tmp"):
        if os.path.exists(path):
            os.unlink(path)
    record["child"] = {"status": status, "seconds": round(time.monotonic() - started, 1)}
    if detail:
        record["child"]["detail"] = detail[:MESSAGE_LIMIT]
    return record


def _read(path: str) -> str:
    try:
        with open(path, errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def _tail(text: str, lines: int = 3) -> str:
    return " | ".join(line.strip() for line in (text or "").strip().splitlines()[-lines:])


def _one_line(record: Dict[str, Any]) -> str:
    parts = [record["child"]["status"], f"{record['child']['seconds']}s"]
    if record.get("build", {}).get("status") == "error":
        parts.append("build: " + record["build"]["error"]["message"][:80])
    script = record.get("script")
    if script:
        parts.append("script: " + script["status"] + ("/" + script["verdict"] if script.get("verdict") else ""))
    trace = record.get("trace")
    if trace:
        parts.append("trace: " + trace["status"] + ("/" + trace["verdict"] if trace.get("verdict") else ""))
        if trace.get("verdict_C") and trace.get("verdict_B") == "matches" and trace["verdict_C"] != "matches":
            parts.append("only on C")
        if trace.get("meta"):
            parts.append("meta: " + trace["meta"]["verdict"])
    return ", ".join(parts)


def _load(path: str) -> Dict[str, Any]:
    try:
        with open(path) as fh:
            data = json.load(fh)
        if isinstance(data, dict) and isinstance(data.get("models"), list):
            return data
    except (OSError, ValueError):
        pass
    return {"meta": {}, "models": []}


def _save(path: str, data: Dict[str, Any]) -> None:
    data["models"].sort(key=lambda m: (m["library"], m["name"]))
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=False)
        fh.write("\n")
    os.replace(tmp, path)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _meta() -> Dict[str, Any]:
    """Versions of everything that decides the outcome (the children run this interpreter)."""
    import importlib.metadata as md

    import measure

    versions = {}
    for dist in ("torch", "torchvision", "timm", "transformers", "numpy", "jitlint"):
        try:
            versions[dist] = md.version(dist)
        except md.PackageNotFoundError:
            versions[dist] = None
    import sysconfig

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "site_packages": sysconfig.get_paths()["purelib"],
        "paths": "source files are relative to site_packages when they are inside it",
        "tolerances": {"rtol": measure.RTOL, "atol": measure.ATOL},
        "runs": [],  # the invocations the records come from (a --models run re-measures a few)
    }


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    sys.exit(main())
