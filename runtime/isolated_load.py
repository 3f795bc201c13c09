"""``torch.jit.load`` in a fresh Python process that cannot import the model's source.

Loading a saved model in the process that defined it proves little: an
``@torch.jit.ignore`` helper or an ``autograd.Function`` would still resolve to the Python
code that is sitting in memory.  Deployment loads the file somewhere else.  So every
artifact of one ``verify`` call is loaded and run in ONE child interpreter (one start-up,
however many inputs and modes), started with:

* ``-I -S``: no PYTHONPATH, no user site-packages, no ``.pth`` files (editable installs of
  the user's package are ``.pth`` import hooks), and no script directory on ``sys.path``;
* ``sys.path`` = the standard library plus only the ``site-packages`` directories of this
  interpreter, minus the directories the model's modules were imported from;
* an empty temporary working directory.

The child records whether each model module could be found (``importlib.util.find_spec``,
which does not execute it) so the report carries the evidence; a model installed as a
regular package in site-packages stays importable, and the report says so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

CHILD_SOURCE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_isolated_child.py")
DEFAULT_TIMEOUT = 600.0


@dataclass
class Artifact:
    key: str  # e.g. "script/cpu"
    path: str  # the torch.jit.save file
    device: str


@dataclass
class ArtifactRun:
    loaded: bool
    error: Optional[str] = None
    outputs: List[Any] = field(default_factory=list)  # ("ok", value) | ("error", type, message)


@dataclass
class IsolatedRun:
    ok: bool  # the child ran to completion
    error: Optional[str] = None
    artifacts: Dict[str, ArtifactRun] = field(default_factory=dict)
    evidence: Dict[str, Any] = field(default_factory=dict)  # flags, sys.path, module visibility


def site_paths(forbidden: Sequence[str] = ()) -> List[str]:
    """The ``site-packages``/``dist-packages`` entries of this interpreter's ``sys.path``."""
    banned = {os.path.realpath(p) for p in forbidden}
    out = []
    for entry in sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        base = os.path.basename(os.path.normpath(entry))
        if base in ("site-packages", "dist-packages") and os.path.realpath(entry) not in banned:
            out.append(entry)
    return out


def child_command(spec_path: str) -> List[str]:
    with open(CHILD_SOURCE_FILE) as fh:
        source = fh.read()
    return [sys.executable, "-I", "-S", "-c", source, spec_path]


def child_environment() -> Dict[str, str]:
    env = dict(os.environ)
    # -I already ignores PYTHON* variables; drop them anyway so a debugger/coverage hook
    # configured through the environment cannot import user code into the child.
    for key in list(env):
        if key.startswith("PYTHON"):
            env.pop(key)
    return env


def isolated_python_command(code: str, forbidden_paths: Sequence[str] = ()) -> List[str]:
    """A command running ``code`` under exactly the child's isolation (used by tests to
    show that the model's module cannot be imported there)."""
    prelude = (
        "import os, sys\n"
        f"_forbidden = {{os.path.realpath(p) for p in {list(forbidden_paths)!r}}}\n"
        "sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) not in _forbidden]\n"
        f"sys.path.extend({site_paths(forbidden_paths)!r})\n"
    )
    return [sys.executable, "-I", "-S", "-c", prelude + code]


def run_isolated(
    artifacts: Sequence[Artifact],
    inputs_file: str,
    *,
    model_modules: Sequence[str],
    forbidden_paths: Sequence[str],
    seed: int,
    workdir: str,
    timeout: float = DEFAULT_TIMEOUT,
) -> IsolatedRun:
    from .compat import torch_load

    spec = {
        "inputs": inputs_file,
        "forbidden_paths": list(forbidden_paths),
        "extra_paths": site_paths(forbidden_paths),
        "model_modules": list(model_modules),
        "seed": seed,
        "artifacts": [
            {"key": a.key, "path": a.path, "device": a.device, "outputs": os.path.join(workdir, f"out_{i}.pt")}
            for i, a in enumerate(artifacts)
        ],
        "result": os.path.join(workdir, "child_result.json"),
    }
    spec_path = os.path.join(workdir, "child_spec.json")
    with open(spec_path, "w") as fh:
        json.dump(spec, fh)
    cwd = tempfile.mkdtemp(prefix="jitlint_load_cwd_", dir=workdir)
    try:
        proc = subprocess.run(
            child_command(spec_path),
            cwd=cwd,
            env=child_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=timeout,
            text=True,
        )
    except subprocess.TimeoutExpired:
        return IsolatedRun(False, f"the fresh process did not finish within {timeout:.0f}s")
    except OSError as exc:
        return IsolatedRun(False, f"could not start a fresh Python process: {exc}")
    if not os.path.exists(spec["result"]):
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        return IsolatedRun(False, f"the fresh process exited with code {proc.returncode}: " + " / ".join(tail))
    with open(spec["result"]) as fh:
        result = json.load(fh)
    evidence = {k: result.get(k) for k in ("executable", "flags", "cwd", "sys_path", "model_modules")}
    if result.get("fatal"):
        return IsolatedRun(False, "the fresh process could not start: " + result["fatal"], evidence=evidence)
    runs: Dict[str, ArtifactRun] = {}
    for item in spec["artifacts"]:
        record = result["artifacts"].get(item["key"], {})
        run = ArtifactRun(loaded=bool(record.get("loaded")), error=record.get("error"))
        if run.loaded and record.get("outputs") and os.path.exists(record["outputs"]):
            run.outputs = torch_load(record["outputs"])
        runs[item["key"]] = run
    return IsolatedRun(True, None, runs, evidence)
