"""Dependency reach: what a user file that only scripts a library class is told.

For every ``nn.Module`` class of an installed or unpacked library's packages (default: MONAI's
``monai.networks.blocks`` and ``monai.networks.layers``, from the registry's wheel unpacked into
a temporary site directory: MONAI imports with torch and numpy only, so the real compiler can
label it), a small user file is written::

    import torch
    from monai.networks.blocks.convolutions import Convolution

    scripted = torch.jit.script(Convolution(2, 4, 4))

Each class is labelled by torch.jit.script in a child forked for that class alone from a
process that imported the library (a fresh compiler per class: scripting many classes in one
process leaves class state behind that turns later verdicts into artifacts such as "Can't
redefine method"); an alias of a class already listed is skipped, and a class that cannot be
built from simple arguments (see ``_arguments``) is left out. jitlint then checks each user file:

- ``user file only``: ``--no-dependencies`` (what jitlint did before dependency reach);
- ``user file + dependency reach``: the default, the library found on the search path;
- ``whole library``: the user file and every file of the library given as checked files,
  with ``auto-roots`` off (so only the user's root counts), findings anywhere reached from it.

A class counts as flagged when a run reports any script-family finding (JIT1xx, JIT2xx) in it
(for the whole-library run: in code its root reaches). Recall = flagged rejected / rejected;
precision = flagged rejected / flagged. The cost of reaching dependencies is the wall time of
the dependency-reach run over all user files with a fresh cache (cold) and again (warm).

    python bench/dependency_reach.py                         # pip download monai==1.6.1 --no-deps
    python bench/dependency_reach.py --site DIR              # a site directory holding the library
    python bench/dependency_reach.py --package monai==1.6.1 --modules monai.networks.blocks
    python bench/dependency_reach.py --list                  # every class, label and flags
    python bench/dependency_reach.py --json FILE
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
SCRIPT_FAMILIES = ("JIT1", "JIT2")


def _arguments(cls):
    """Simple positional arguments for a constructor, or None: ints for its required
    parameters (``spatial_dims`` 2, sizes/channels/features 4, kernels 3), by name only."""
    import inspect

    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return None
    args = []
    for name, p in list(sig.parameters.items())[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.default is not p.empty:
            continue
        if p.kind == p.KEYWORD_ONLY:
            return None
        low = name.lower()
        if low in ("spatial_dims", "dimensions", "dims", "ndim", "spatial_dim"):
            args.append(2)
        elif "kernel" in low:
            args.append(3)
        elif any(k in low for k in ("channel", "features", "dim", "size", "num", "hidden", "heads", "depth")):
            args.append(4)
        else:
            return None
    return args


def _script_in_child(cls, args, timeout: float) -> dict:
    """Build ``cls(*args)`` and ``torch.jit.script`` it in a forked child: every class meets a
    compiler that has compiled nothing yet. In one process, TorchScript's class state (the
    Python compilation unit, the concrete-type cache) carries over from class to class and
    turns later verdicts into artifacts ("Can't redefine method", "already defined")."""
    import signal

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        row: dict = {}
        try:
            import torch

            try:
                instance = cls(*args)
            except Exception:  # noqa: BLE001 - these simple arguments do not build it
                row = {"label": None}
            else:
                try:
                    torch.jit.script(instance)
                    row = {"label": "accept"}
                except Exception as exc:  # noqa: BLE001 - the compiler's verdict
                    row = {"label": "reject",
                           "error": (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]}
        except BaseException as exc:  # noqa: BLE001 - report, never raise out of a fork
            row = {"label": None, "error": f"{type(exc).__name__}: {exc}"[:200]}
        with os.fdopen(write_end, "w") as fh:
            fh.write(json.dumps(row))
        os._exit(0)
    os.close(write_end)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read_end)
            return {"label": None, "error": f"timed out after {timeout:.0f} s"}
        time.sleep(0.01)
    with os.fdopen(read_end) as fh:
        text = fh.read()
    if not text:
        return {"label": None, "error": f"child died (status {status})"}
    return json.loads(text)


def _label_worker(out_path: str, site: str, packages: list[str]) -> None:
    """List the classes in this process (import only: nothing is built or compiled here),
    label each in its own forked child (``_script_in_child``)."""
    sys.path.insert(0, site)
    import importlib
    import pkgutil
    import warnings

    import torch

    warnings.simplefilter("ignore")
    out = []
    seen = set()
    for package in packages:
        pkg = importlib.import_module(package)
        names = [package] + [m.name for m in pkgutil.iter_modules(pkg.__path__, package + ".")]
        for module_name in names:
            try:
                module = importlib.import_module(module_name)
            except Exception:  # noqa: BLE001 - a module needing an optional dependency
                continue
            for name, cls in sorted(vars(module).items()):
                if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)
                        and cls.__module__ == module_name and not name.startswith("_")):
                    continue
                if cls in seen or cls.__name__ != name:
                    continue  # an alias (MONAI's SubpixelDownsample = Subpixeldownsample = ...): one class
                seen.add(cls)
                args = _arguments(cls)
                if args is None:
                    continue
                verdict = _script_in_child(cls, args, timeout=300.0)
                if verdict["label"] is None:
                    continue  # not built from these arguments (or the child failed): left out
                out.append({"module": module_name, "name": name, "args": args, **verdict})
    pathlib.Path(out_path).write_text(json.dumps(out))  # stdout: the library may print


def label(site: str, packages: list[str], out: pathlib.Path) -> list[dict]:
    # one thread: the worker forks a child per class after importing torch
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, __file__, "--label-worker", str(out), site, *packages],
                         capture_output=True, text=True, timeout=3600, env=env)
    if run.returncode != 0:
        raise SystemExit(f"labelling failed:\n{run.stderr[-3000:]}")
    return json.loads(out.read_text())


def unpack(package: str, into: pathlib.Path) -> pathlib.Path:
    wheels = into / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-input", "-q", package, "-d",
                    str(wheels)], check=True, timeout=600)
    site = into / "site"
    for wheel in wheels.glob("*.whl"):
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(site)
    return site


def user_file(folder: pathlib.Path, row: dict, index: int, form: str = "call") -> pathlib.Path:
    path = folder / f"user_{index:03d}_{row['name'].lower()}.py"
    args = ", ".join(str(a) for a in row["args"])
    head = f"import torch\nfrom {row['module']} import {row['name']}\n\n"
    if form == "variable":  # the instance held in a variable first, as training scripts do
        path.write_text(head + f"model = {row['name']}({args})\nmodel.eval()\nscripted = torch.jit.script(model)\n")
    else:
        path.write_text(head + f"scripted = torch.jit.script({row['name']}({args}))\n")
    return path


def _flagged(findings, path) -> bool:
    return any(f.code.startswith(SCRIPT_FAMILIES) and os.path.samefile(f.path, path) for f in findings)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", help="a site directory holding the library (default: download --package)")
    parser.add_argument("--package", default="monai==1.6.1", help="what pip download --no-deps fetches")
    parser.add_argument("--modules", nargs="+", default=["monai.networks.blocks", "monai.networks.layers"])
    parser.add_argument("--form", choices=("call", "variable"), default="call",
                        help="user files script `Cls(...)` directly, or `model = Cls(...); model.eval()` first")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--label-worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.label_worker:
        _label_worker(args.label_worker[0], args.label_worker[1], args.label_worker[2:])
        return 0

    from jitlint.linter.analysis.reach import Project
    from jitlint.linter.config import Settings
    from jitlint.linter.engine import analyze_files, check_files

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = pathlib.Path(tmp)
        site = pathlib.Path(args.site).resolve() if args.site else unpack(args.package, tmp_path)
        started = time.perf_counter()
        rows = label(str(site), args.modules, tmp_path / "labels.json")
        label_s = time.perf_counter() - started
        users = tmp_path / "users"
        users.mkdir()
        paths = [user_file(users, row, i, args.form) for i, row in enumerate(rows)]
        base = dict(select=["ALL"], project_root=str(users), search_paths=[str(site)])

        without = Settings(**base, dependencies=False)
        for row, path in zip(rows, paths):
            row["user_only"] = _flagged(check_files([str(path)], without, use_cache=False).findings, path)

        cost = {}
        for run in ("cold", "warm"):
            settings = Settings(**base, cache_dir=str(tmp_path / "cache"))
            times = []
            for row, path in zip(rows, paths):
                t = time.perf_counter()
                report = check_files([str(path)], settings, use_cache=True)
                times.append(time.perf_counter() - t)
                row["with_reach"] = _flagged(report.findings, path)
                if run == "cold":
                    row["reach_findings"] = sorted({f.message.rsplit("(in dependency ", 1)[-1].split(",")[0]
                                                    for f in report.findings if "(in dependency " in f.message})
            cost[run] = {"total_s": round(sum(times), 2), "median_ms": round(statistics.median(times) * 1000, 1)}
        t = time.perf_counter()
        for path in paths:
            check_files([str(path)], without, use_cache=False)
        cost["without_reach_total_s"] = round(time.perf_counter() - t, 2)

        top = args.modules[0].split(".")[0]
        library = sorted(str(p) for p in (site / top).rglob("*.py"))
        whole = Settings(**base, dependencies=False, auto_roots=False)
        t = time.perf_counter()
        # through a cache: results positioned in full (not deferred to one project's reach)
        whole = Settings(**base, dependencies=False, auto_roots=False, cache_dir=str(tmp_path / "whole-cache"))
        lib_results, _ = analyze_files(library, whole, use_cache=True)
        cost["whole_library_analysis_s"] = round(time.perf_counter() - t, 2)
        for row, path in zip(rows, paths):
            results, _ = analyze_files([str(path)], whole, use_cache=True)
            everything = {**lib_results, **results}
            project = Project([r.summary for r in everything.values()], modes=whole.modes, auto_roots=False)
            flagged = False
            for result in everything.values():
                user = result.path == str(path)
                for cond in result.conditionals:
                    code = cond.finding.code
                    if not code.startswith(SCRIPT_FAMILIES) or (not user and not any(
                            p[0] == "reach" for p in cond.requires)):
                        continue
                    if not cond.requires or project.check(cond.requires) is not None:
                        flagged = True
                        break
                if flagged:
                    break
            row["whole_library"] = flagged

    def score(key):
        rejected = [r for r in rows if r["label"] == "reject"]
        flagged = [r for r in rows if r[key]]
        hit = [r for r in rejected if r[key]]
        return {"flagged": len(flagged), "recall": round(len(hit) / len(rejected), 3) if rejected else None,
                "precision": round(len(hit) / len(flagged), 3) if flagged else None}

    summary = {
        "package": args.package if not args.site else str(args.site), "modules": args.modules,
        "classes": len(rows), "rejected": sum(r["label"] == "reject" for r in rows),
        "label_s": round(label_s, 1),
        "user_only": score("user_only"), "with_reach": score("with_reach"), "whole_library": score("whole_library"),
        "cost": cost,
    }
    print(f"{summary['classes']} classes of {', '.join(args.modules)}: {summary['rejected']} rejected by "
          f"torch.jit.script")
    for key, title in (("user_only", "user file only (--no-dependencies)"),
                       ("with_reach", "user file + dependency reach"), ("whole_library", "whole library checked")):
        s = summary[key]
        print(f"  {title:38s} flagged {s['flagged']:3d}  recall {s['recall']}  precision {s['precision']}")
    print(f"  cost over {len(rows)} user files: with reach cold {cost['cold']['total_s']} s "
          f"(median {cost['cold']['median_ms']} ms), warm {cost['warm']['total_s']} s "
          f"(median {cost['warm']['median_ms']} ms); without reach {cost['without_reach_total_s']} s; "
          f"analysing the whole library once {cost['whole_library_analysis_s']} s")
    if args.list:
        for r in rows:
            flags = "".join(c if r[k] else "." for c, k in (("u", "user_only"), ("d", "with_reach"),
                                                           ("w", "whole_library")))
            print(f"  {r['label']:6s} {flags} {r['module']}.{r['name']}  {r.get('error', '')[:90]}"
                  f"  {' '.join(r.get('reach_findings', []))}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"summary": summary, "classes": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
