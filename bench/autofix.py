"""What ``jitlint check --fix`` repairs, and whether it ever breaks code: one command.

Run (from the repository root, in a venv made with ``pip install -e '.[test]'``, which brings
torch 2.13.0 CPU)::

    python bench/autofix.py                      # both parts, readable tables
    python bench/autofix.py --json autofix.json  # also every figure and row as JSON
    python bench/autofix.py --skip-corpus        # part 1 only (a few minutes)
    python bench/autofix.py --skip-items         # part 2 only
    python bench/autofix.py --corpus torch --corpus path/to/timm-1.0.31-py3-none-any.whl
    python bench/autofix.py --download           # fetch missing corpus packages with pip download --no-deps
    python bench/autofix.py --limit 300          # part 2 on a sample of 300 files per package

**Part 1, the items**: every script/trace snippet of the ground-truth catalog
(``../shared/ground-truth``, as ``bench/catalog_score.py`` finds it; ``--catalog PATH``), every
one-function probe of its script snippets, and every INVALID example of every rule. Each item is
linted, fixed with ``fix_source(..., unsafe=False)`` (safe-only) and with ``unsafe=True``, and
fixed again (idempotence). The compiler then judges the original and the fixed texts:

- catalog snippet: what ``make()`` returns is the root (``--script-root``/``--trace-root``,
  ``auto-roots`` off, ``--select ALL``, as ``catalog_score.py`` lints it). Script snippets are
  scripted and run on ``INPUTS``; trace snippets are traced on ``INPUT_A`` with their
  ``TRACE_KWARGS`` (default settings otherwise) and run on ``INPUT_A`` and ``INPUTS_B``; a snippet's
  ``CHECK(traced, make)`` has the last word, as in the catalog's harness (``snippets/_harness.py``).
  "Matches eager" compares with the *original* snippet's eager ``make()``. A snippet is broken when
  results.json says the compiler rejected it, its result diverged, or the trace verdict was not
  "correct" (or when this run measures that on the original text);
- probe: its own file (the harness's header), root ``f``, script mode, run on its args if any;
- rule example: the default rules plus the rule (as ``tests/codemods/test_fixed_examples.py``),
  in the example's mode and root; judged like ``tests/test_rule_examples.py`` does a VALID
  example (script: compiles and matches eager; trace: traces and matches; export, JIT6xx:
  ``torch.export.export``, non-strict, every dim ``Dim.AUTO``, exports and matches; save-fails:
  saves; warns: silent). Every INVALID example is broken by definition (the test suite proves it).

Reported: findings carrying a fix (safe / unsafe / display-only / codemod); per fix level the
repair rate (broken items that now compile or trace and match eager, over broken items), items
whose eager result changed (must be 0), fixed texts that do not parse (must be 0), fixes rolled
back, loops that did not converge, fix-loop crashes, and second runs that change something; and
the broken-but-unrepaired items grouped by the rules still firing on the fixed text (or "no
finding"), so the next fix to build is visible.

**Part 2, the corpus**: ``jitlint check --select ALL --no-cache --fix`` and then
``--fix --unsafe-fixes``, each run twice, through the command line, over a temporary copy (``.py``
and ``.pyi`` only) of the sources ``bench/robustness.py`` uses (torch, torchvision, timm,
transformers: each from site-packages, else from a wheel in ``--wheels DIR`` or given with
``--corpus``, else downloaded with ``--download``; what is missing is said), and over a copy of the
installed ``torch/nn`` alone. Reported: files changed, fixes applied, rolled back, not converged,
files that parsed before and do not after (must be 0), JIT003 internal errors (must be 0), whether
the second run changed anything (must not), and wall time of each run.

Exit status 1 when a must-be-0 figure is not 0 (eager changes, unparsable texts, crashes, JIT003,
non-idempotent runs), else 0. Nothing under the repository is written except ``--json``.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures as cf
import hashlib
import importlib.util
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
DEFAULT_GT = HERE.parent.parent / "shared" / "ground-truth"
PACKAGES = ("torch", "torchvision", "timm", "transformers")
ITEM_TIMEOUT_S = 120

# the catalog harness's header for probes (snippets/_harness.py, PROBE_HEADER)
PROBE_HEADER = """import math
import torch
import torch.nn.functional as F
from torch import Tensor
from typing import Any, Dict, List, Optional, Tuple, Union
"""

# tests/test_rule_examples.py: what the compiler says about a right (VALID-like) example
EXPECTED_RIGHT = {"reject": {"matches"}, "diverge": {"matches"}, "trace-diverge": {"matches"},
                  "save-fails": {"saves"}, "warns": {"silent"}, "runtime-fails": {"matches"},
                  "export-fails": {"matches"}, "export-diverges": {"matches"}}


# ----------------------------------------------------------------------------------------------
# Part 1: collecting the items (no torch in the parent process)
# ----------------------------------------------------------------------------------------------

def make_root(source: str) -> Optional[str]:
    """The name ``make()`` returns (``return fn`` / ``return Model()``), as catalog_score.py."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == "make":
            for stmt in ast.walk(node):
                if isinstance(stmt, ast.Return) and stmt.value is not None:
                    value = stmt.value.func if isinstance(stmt.value, ast.Call) else stmt.value
                    if isinstance(value, ast.Name):
                        return value.id
    return None


def probe_specs(source: str) -> Dict[str, Tuple[str, Optional[str]]]:
    """label -> (source, args expression or None) of each probe in a snippet's PROBES."""
    out: Dict[str, Tuple[str, Optional[str]]] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PROBES" for t in node.targets)):
            continue
        if not isinstance(node.value, ast.Dict):
            continue
        for key, value in zip(node.value.keys, node.value.values):
            args = None
            if isinstance(value, ast.Tuple) and value.elts:
                if len(value.elts) > 1:
                    args = ast.unparse(value.elts[1])
                value = value.elts[0]
            if isinstance(key, ast.Constant) and isinstance(value, ast.Constant) and isinstance(value.value, str):
                out[key.value] = (value.value, args)
    return out


def catalog_broken(entry: dict) -> Tuple[bool, str]:
    """(broken, the catalog's verdict) from results.json."""
    if entry["kind"] == "script":
        if not entry.get("compiles", False):
            return True, "rejected"
        statuses = [r.get("status") for r in entry.get("runtime") or []]
        bad = [s for s in statuses if s != "equal"]
        return (True, f"runtime {bad[0]}") if bad else (False, "compiles, matches")
    verdict = entry.get("verdict", "?")
    r2 = entry.get("with_check_trace_false")
    if r2:
        verdict += f" (check_trace=False: {r2.get('verdict')})"
    return not entry.get("verdict") == "correct", verdict


def catalog_items(gt: Path) -> List[dict]:
    results = json.loads((gt / "results.json").read_text())["results"]
    items = []
    for entry in results:
        if entry["kind"] not in ("script", "trace"):
            continue
        path = gt / "snippets" / entry["file"]
        source = path.read_text()
        root = make_root(source)
        broken, verdict = catalog_broken(entry)
        meta = entry.get("meta") or {}
        items.append({
            "group": "catalog", "id": entry["id"], "kind": "snippet", "mode": entry["kind"],
            "root": root, "filename": path.name, "source": source,
            "settings": {"select": ["ALL"], "modes": [entry["kind"]],
                         "script_roots": [root] if root and entry["kind"] == "script" else [],
                         "trace_roots": [root] if root and entry["kind"] == "trace" else [],
                         "auto_roots": False},
            "broken_recorded": broken, "recorded": verdict, "family": meta.get("family", ""),
            "requires": list(meta.get("requires") or []),
        })
        if entry["kind"] != "script":
            continue
        specs = probe_specs(source)
        for i, (label, record) in enumerate((entry.get("probes") or {}).items()):
            if label not in specs:
                continue
            src, args = specs[label]
            runtime = record.get("runtime") or {}
            pbroken = (not record.get("compiles", False)) or runtime.get("status", "equal") != "equal"
            items.append({
                "group": "probe", "id": f"{entry['id']}#{i}", "label": label, "kind": "probe",
                "mode": "script", "root": "f", "filename": f"{entry['id']}_probe{i}.py",
                "source": PROBE_HEADER + "\n\n" + src, "args": args,
                "settings": {"select": ["ALL"], "modes": ["script"], "script_roots": ["f"], "auto_roots": False},
                "broken_recorded": pbroken,
                "recorded": record.get("error") or runtime.get("status", "compiles"),
                "family": meta.get("family", ""), "requires": [],
            })
    return items


def example_items() -> List[dict]:
    from jitlint.linter.rules import all_rules
    from jitlint.linter.rules.base import EXPORT, SCRIPT, TRACE

    items = []
    for code, rule in all_rules().items():
        if code.startswith("JIT0"):  # tool rules fix noqa comments, not code the compiler sees
            continue
        for i, ex in enumerate(rule.INVALID):
            mode = ex.mode if ex.mode in (TRACE, EXPORT) else SCRIPT
            items.append({
                "group": "example", "id": f"{code}-{i}", "kind": "example", "rule": code,
                "mode": mode, "root": ex.root, "filename": "x.py", "source": ex.source,
                "inputs": ex.inputs, "expect": ex.expect, "check": ex.check, "ex_mode": ex.mode,
                "settings": {"extend_select": [code], "modes": [mode],
                             "script_roots": [ex.root] if mode == SCRIPT else [],
                             "trace_roots": [ex.root] if mode == TRACE else []},
                "broken_recorded": True, "recorded": ex.expect, "requires": [],
            })
    return items


# ----------------------------------------------------------------------------------------------
# Part 1: one item, in a worker process (torch imported there)
# ----------------------------------------------------------------------------------------------

_torch = None
_counter = itertools.count()
_TMP: Optional[Path] = None


def _init_worker(log_path: str) -> None:
    """Worker: quiet (snippets print; the compiler warns) and with torch imported once."""
    global _torch, _TMP
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    import warnings

    warnings.simplefilter("ignore")
    import torch

    _torch = torch
    _TMP = Path(tempfile.mkdtemp(prefix="jitlint_autofix_items_"))


def _load(source: str, filename: str):
    """Import ``source`` for real from its own file (torch.jit.script reads it with inspect)."""
    stem = re.sub(r"\W", "_", Path(filename).stem)
    name = f"autofix_{next(_counter)}_{stem}"
    path = _TMP / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _clone(x):
    torch = _torch
    if isinstance(x, torch.Tensor):
        return x.clone()
    if isinstance(x, tuple):
        return tuple(_clone(i) for i in x)
    if isinstance(x, list):
        return [_clone(i) for i in x]
    if isinstance(x, dict):
        return {k: _clone(v) for k, v in x.items()}
    return x


def _same(a, b, lenient_numbers: bool = False) -> bool:
    """Equal results: Tensors by shape, dtype, device, requires_grad and value (meta: no value);
    floats with a tolerance; containers element by element; otherwise type and ``==``.
    ``lenient_numbers``: an int equals the same float (tests/compiler.py's rule for examples)."""
    torch = _torch
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype or a.device != b.device or a.requires_grad != b.requires_grad:
            return False
        if a.device.type == "meta":
            return True
        if a.is_floating_point() or a.is_complex():
            return bool(torch.allclose(a.detach(), b.detach(), rtol=1e-5, atol=1e-6, equal_nan=True))
        return bool(torch.equal(a, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y, lenient_numbers) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], lenient_numbers) for k in a)
    numbers = (int, float)
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= 1e-6 * max(1.0, abs(a)) or (a != a and b != b)
    if type(a) is not type(b):
        if lenient_numbers and isinstance(a, numbers) and isinstance(b, numbers) \
                and not isinstance(a, bool) and not isinstance(b, bool):
            return a == b
        return False
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def _call(fn, args) -> Tuple[bool, Any]:
    """(ok, result) or (False, exception type name), seeded like the harness and the tests."""
    _torch.manual_seed(1)
    try:
        return True, fn(*_clone(args))
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__


def _same_runs(before: List[Tuple[bool, Any]], after: List[Tuple[bool, Any]], lenient: bool) -> bool:
    return _eager_change(before, after, lenient) is None


def _eager_change(before: List[Tuple[bool, Any]], after: List[Tuple[bool, Any]], lenient: bool) -> Optional[str]:
    """None when eager gives the same on every input, else what changed on the first that differs:
    "raised X, now returns ..." / "returned ..., now raises X" / "returned A, now B"."""
    if len(before) != len(after):
        return f"{len(before)} results before, {len(after)} after"
    for i, ((ok_b, b), (ok_a, a)) in enumerate(zip(before, after)):
        if ok_b and ok_a and not _same(b, a, lenient):
            return f"input {i}: returned {_brief(b)}, now {_brief(a)}"
        if ok_b and not ok_a:
            return f"input {i}: returned {_brief(b)}, now raises {a}"
        if not ok_b and ok_a:
            return f"input {i}: raised {b}, now returns {_brief(a)}"
        if not ok_b and not ok_a and a != b:
            return f"input {i}: raised {b}, now raises {a}"
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200] if text else ''}"


# --- catalog snippets and probes ---------------------------------------------------------------

def _snippet_inputs(module, mode: str) -> List[tuple]:
    if mode == "script":
        return list(getattr(module, "INPUTS", []) or [])
    return [module.INPUT_A] + list(getattr(module, "INPUTS_B", []) or [])


def _snippet_eager(module, item: dict, inputs: List[tuple]) -> List[Tuple[bool, Any]]:
    if item["kind"] == "probe":
        return [_call(module.f, args) for args in inputs]
    _torch.manual_seed(0)
    ref = module.make()
    return [_call(ref, args) for args in inputs]


def _snippet_verdict(module, item: dict, inputs: List[tuple], reference) -> Tuple[str, str]:
    """("ok"|"rejected"|"trace-fails"|"diverges", detail) of scripting/tracing the module's
    root, compared with ``reference`` (the original's eager results on ``inputs``)."""
    torch = _torch
    if item["kind"] == "probe":
        obj = module.f
    else:
        _torch.manual_seed(0)
        obj = module.make()
    if item["mode"] == "script":
        try:
            compiled = torch.jit.script(obj)
        except Exception as exc:  # noqa: BLE001
            return "rejected", _first_line(exc)
    else:
        kwargs = dict(getattr(module, "TRACE_KWARGS", {}) or {})
        try:
            _torch.manual_seed(0)
            compiled = torch.jit.trace(obj, _clone(module.INPUT_A), **kwargs)
        except Exception as exc:  # noqa: BLE001
            return "trace-fails", _first_line(exc)
    runs = [_call(compiled, args) for args in inputs]
    for i, ((ok_r, r), (ok_c, c)) in enumerate(zip(reference, runs)):
        if ok_r != ok_c or (ok_r and not _same(r, c)):
            return "diverges", f"input {i}: eager {_brief(r)} vs compiled {_brief(c)}"
    if item["mode"] == "trace" and hasattr(module, "CHECK"):
        try:
            check = module.CHECK(compiled, module.make) or {}
        except Exception as exc:  # noqa: BLE001
            return "diverges", f"CHECK raised {_first_line(exc)}"
        verdict = check.get("verdict")
        if (verdict and verdict != "correct") or check.get("silently_wrong"):
            return "diverges", f"CHECK: {verdict or 'silently wrong'}"
    return "ok", ""


def _brief(x) -> str:
    if isinstance(x, _torch.Tensor):
        if x.device.type == "meta" or x.numel() > 6:
            return f"Tensor{tuple(x.shape)} {x.dtype} {x.device}"
        return f"tensor({x.tolist()}, {x.dtype})"
    return repr(x)[:80]


def _judge_snippet(item: dict, text: str, original=None) -> dict:
    """The compiler's verdict on ``text`` and its eager results, next to the original's."""
    out: Dict[str, Any] = {}
    try:
        module = _load(text, item["filename"])
    except Exception as exc:  # noqa: BLE001
        return {"verdict": "load-fails", "detail": _first_line(exc), "eager_same": False}
    if original is None:
        original = module
    if item["kind"] == "probe":
        args = eval(item["args"], {"torch": _torch, **vars(original)}) if item.get("args") else None  # noqa: S307
        inputs = [tuple(args)] if args is not None else []
    else:
        inputs = _snippet_inputs(original, item["mode"])
    reference = _snippet_eager(original, item, inputs)
    try:
        mine = reference if module is original else _snippet_eager(module, item, inputs)
        out["eager_detail"] = _eager_change(reference, mine, lenient=False)
        out["eager_same"] = out["eager_detail"] is None
    except Exception as exc:  # noqa: BLE001
        out["eager_same"] = False
        out["eager_detail"] = _first_line(exc)
    try:
        out["verdict"], out["detail"] = _snippet_verdict(module, item, inputs, reference)
    except Exception as exc:  # noqa: BLE001
        out["verdict"], out["detail"] = "error", _first_line(exc)
    out["module"] = module
    return out


# --- rule examples (tests/compiler.py and tests/test_rule_examples.py, minimal copies) ---------

def _instantiate(module, root: str):
    obj = getattr(module, root)
    if isinstance(obj, type) and issubclass(obj, _torch.nn.Module):
        _torch.manual_seed(0)
        return obj()
    return obj


def _example_eager(module, item: dict) -> List[Tuple[bool, Any]]:
    inputs = eval(item["inputs"], {"torch": _torch, **vars(module)})  # noqa: S307 - example data
    if item["expect"] == "warns":
        ok, built = _call(getattr(module, item["root"]), ())
        if not ok or not callable(built):
            return [(ok, built)]
        return [_call(built, args) for args in inputs]
    results = []
    for args in inputs:
        try:
            target = _instantiate(module, item["root"])
        except Exception as exc:  # noqa: BLE001
            results.append((False, f"instantiate: {type(exc).__name__}"))
            continue
        results.append(_call(target, args))
    return results


def _example_verdict(module, item: dict, invalid: bool) -> Tuple[str, str]:
    """tests/test_rule_examples.py's compiler_verdict(example, kind)."""
    import io
    import warnings

    torch = _torch
    root, expect = item["root"], item["expect"]
    inputs = eval(item["inputs"], {"torch": torch, **vars(module)})  # noqa: S307 - example data
    if expect == "warns":
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            getattr(module, root)()
        hits = [w for w in caught if issubclass(w.category, (DeprecationWarning, FutureWarning))
                and ("torch" in str(w.filename) or "jit" in str(w.message) or "deprecated" in str(w.message).lower())]
        return ("warns", str(hits[0].message)) if hits else ("silent", "")
    if expect == "save-fails":
        scripted = torch.jit.script(_instantiate(module, root))
        try:
            torch.jit.save(scripted, io.BytesIO())
        except Exception as exc:  # noqa: BLE001
            return "save-fails", _first_line(exc)
        return "saves", ""
    if expect == "runtime-fails" and invalid:
        try:
            scripted = torch.jit.script(_instantiate(module, root))
        except Exception as exc:  # noqa: BLE001
            return "rejected", _first_line(exc)
        for i, args in enumerate(inputs):
            ok, res = _call(scripted, args)
            if not ok:
                return "diverges", f"input {i}: scripted raises {res}"
        return "matches", ""
    target, eager = _instantiate(module, root), _instantiate(module, root)
    if item["ex_mode"] == "export":
        # tests/compiler.py's export_verdict: non-strict, every dim of every Tensor Dim.AUTO
        from torch.export import Dim

        example = _clone(inputs[0])
        shapes = tuple({i: Dim.AUTO for i in range(a.dim())} if isinstance(a, torch.Tensor) else None
                       for a in example)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compiled = torch.export.export(target, example, dynamic_shapes=shapes).module()
        except Exception as exc:  # noqa: BLE001
            return "fails", _first_line(exc)
    elif item["ex_mode"] == "trace" or expect == "trace-diverge":
        try:
            compiled = torch.jit.trace(target, _clone(inputs[0]))
        except Exception as exc:  # noqa: BLE001
            return "fails", _first_line(exc)
        if item.get("check"):
            wrong = getattr(module, item["check"])(compiled, lambda: _instantiate(module, root))
            return ("diverges", f"{item['check']}() says the trace is wrong") if wrong else ("matches", "")
    else:
        try:
            compiled = torch.jit.script(target)
        except Exception as exc:  # noqa: BLE001
            return "rejected", _first_line(exc)
    for i, args in enumerate(inputs):
        ok_e, out_e = _call(eager, args)
        ok_c, out_c = _call(compiled, args)
        if ok_e != ok_c or (ok_e and not _same(out_e, out_c, lenient_numbers=True)):
            return "diverges", f"input {i}: eager {_brief(out_e)} vs compiled {_brief(out_c)}"
    return "matches", ""


def _judge_example(item: dict, text: str, original_eager=None, invalid: bool = False) -> dict:
    out: Dict[str, Any] = {}
    try:
        module = _load(text, item["filename"])
    except Exception as exc:  # noqa: BLE001
        return {"verdict": "load-fails", "detail": _first_line(exc), "eager_same": False, "ok": False}
    try:
        eager = _example_eager(module, item)
    except Exception as exc:  # noqa: BLE001
        eager = [(False, f"inputs: {type(exc).__name__}")]
    out["eager"] = eager
    out["eager_detail"] = None if original_eager is None else _eager_change(original_eager, eager, lenient=True)
    out["eager_same"] = out["eager_detail"] is None
    if item["expect"] == "runtime-fails" and _torch.cuda.is_available():
        out["verdict"], out["detail"] = "skipped", "a hard-coded CUDA device runs here"
    else:
        try:
            out["verdict"], out["detail"] = _example_verdict(module, item, invalid)
        except Exception as exc:  # noqa: BLE001
            out["verdict"], out["detail"] = "error", _first_line(exc)
    out["ok"] = out["verdict"] in EXPECTED_RIGHT[item["expect"]]
    return out


# --- the static side: findings, the fix loop, idempotence -------------------------------------

def _fix_stats(item: dict, settings, unsafe: bool) -> dict:
    from jitlint.codemods.fix_loop import fix_source

    name, source = item["filename"], item["source"]
    out: Dict[str, Any] = {}
    try:
        report = fix_source(source, name, settings, unsafe=unsafe)
    except Exception as exc:  # noqa: BLE001 - a crash of the fix loop is a finding of this bench
        import traceback

        return {"crash": _first_line(exc), "traceback": traceback.format_exc()[-2000:], "text": source,
                "changed": False, "applied": {}, "rolled_back": [], "not_converged": [], "unreadable": [],
                "remaining": [], "parses": True, "idempotent": True}
    fx = report.files.get(name)
    text = fx.text if fx is not None else source
    out["text"] = text
    out["changed"] = text != source
    out["applied"] = dict(fx.applied) if fx is not None else {}
    out["rolled_back"] = [list(r[1:]) for r in report.rolled_back]
    out["not_converged"] = [list(codes) for _, codes in report.not_converged]
    out["unreadable"] = [r[1] for r in report.unreadable]
    out["remaining"] = sorted({f.code for f in report.findings})
    out["remaining_fixable"] = sorted({f.code for f in report.findings if f.fix is not None})
    try:
        ast.parse(text, name)
        out["parses"] = True
    except SyntaxError as exc:
        out["parses"] = False
        out["parse_error"] = f"{exc.msg} (line {exc.lineno})"
    if out["changed"]:
        try:
            again = fix_source(text, name, settings, unsafe=unsafe)
            fx2 = again.files.get(name)
            text2 = fx2.text if fx2 is not None else text
            out["idempotent"] = text2 == text and again.fixed == 0
            if not out["idempotent"]:
                out["second_applied"] = dict(fx2.applied) if fx2 is not None else {}
        except Exception as exc:  # noqa: BLE001
            out["idempotent"] = False
            out["second_crash"] = _first_line(exc)
    else:
        out["idempotent"] = True
    return out


def run_item(item: dict) -> dict:
    """Lint, fix (safe-only and unsafe), fix again, and ask the compiler; a JSON-able row."""
    import signal

    from jitlint.linter.api import SAFE, UNSAFE
    from jitlint.linter.config import Settings
    from jitlint.linter.engine import check_source

    def on_alarm(signum, frame):
        raise TimeoutError(f"item took more than {ITEM_TIMEOUT_S} s")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(ITEM_TIMEOUT_S)
    t0 = time.perf_counter()
    row = {k: item[k] for k in ("group", "id", "kind", "mode", "root", "broken_recorded", "recorded")}
    for k in ("rule", "expect", "family", "label"):
        if k in item:
            row[k] = item[k]
    try:
        if item.get("requires"):
            missing = [m for m in item["requires"] if importlib.util.find_spec(m) is None]
            if missing:
                row["skipped"] = f"needs {', '.join(missing)}"
                return row
        settings = Settings(**item["settings"])
        findings = check_source(item["source"], item["filename"], settings)
        fixes = Counter()
        for f in findings:
            fixes["findings"] += 1
            if f.fix is None:
                continue
            fixes["with_fix"] += 1
            fixes[{SAFE: "safe", UNSAFE: "unsafe"}.get(f.fix.applicability, "display_only")] += 1
            if f.fix.codemod is not None:
                fixes["codemod"] += 1
        row["fixes"] = dict(fixes)
        row["codes"] = sorted({f.code for f in findings})
        row["fix_codes"] = sorted({f.code for f in findings if f.fix is not None})
        fixed = {level: _fix_stats(item, settings, level == "unsafe") for level in ("safe", "unsafe")}
        # the compiler on the original and on each fixed text
        if item["kind"] == "example":
            before = _judge_example(item, item["source"], invalid=True)
            row["before"] = {"verdict": before["verdict"], "detail": before["detail"]}
            row["broken"] = True
            for level, st in fixed.items():
                if st["changed"] and st["parses"]:
                    after = _judge_example(item, st["text"], original_eager=before["eager"])
                else:
                    after = {"verdict": before["verdict"], "detail": "(unchanged)", "eager_same": True, "ok": False}
                st["verdict"], st["detail"], st["eager_same"] = after["verdict"], after["detail"], after["eager_same"]
                st["eager_detail"] = after.get("eager_detail")
                # repaired: compiles and matches its own eager, and eager is what it was
                st["repaired"] = st["changed"] and after["ok"] and after["eager_same"]
        else:
            before = _judge_snippet(item, item["source"])
            row["before"] = {"verdict": before["verdict"], "detail": before["detail"]}
            row["broken"] = bool(item["broken_recorded"] or before["verdict"] != "ok")
            original = before.get("module")
            for level, st in fixed.items():
                if st["changed"] and st["parses"] and original is not None:
                    after = _judge_snippet(item, st["text"], original=original)
                else:
                    after = {"verdict": before["verdict"], "detail": "(unchanged)", "eager_same": True}
                st["verdict"], st["detail"], st["eager_same"] = after["verdict"], after["detail"], after["eager_same"]
                st["eager_detail"] = after.get("eager_detail")
                st["repaired"] = st["changed"] and after["verdict"] == "ok" and after["eager_same"]
        for level, st in fixed.items():
            st.pop("text", None)
            row[level] = st
    except Exception as exc:  # noqa: BLE001
        import traceback

        row["error"] = _first_line(exc)
        row["traceback"] = traceback.format_exc()[-2000:]
    finally:
        signal.alarm(0)
        row["seconds"] = round(time.perf_counter() - t0, 2)
    return row


def run_items(items: List[dict], jobs: int, log_path: str) -> List[dict]:
    """Every item through a pool of workers; an item that kills its worker is recorded as a
    crash (and the pool started again for the rest)."""
    rows: Dict[int, dict] = {}
    todo = list(range(len(items)))
    while todo:
        with cf.ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(log_path,)) as pool:
            futures = {pool.submit(run_item, items[i]): i for i in todo}
            broken_pool = False
            for fut in cf.as_completed(futures):
                i = futures[fut]
                try:
                    rows[i] = fut.result()
                except cf.process.BrokenProcessPool:
                    broken_pool = True
                except Exception as exc:  # noqa: BLE001
                    rows[i] = {"group": items[i]["group"], "id": items[i]["id"], "error": _first_line(exc)}
                done = len(rows)
                if done % 50 == 0:
                    print(f"  ... {done}/{len(items)} items", file=sys.stderr, flush=True)
        left = [i for i in todo if i not in rows]
        if broken_pool and left:
            # find the item that kills a worker: run what is left one at a time
            for i in left:
                with cf.ProcessPoolExecutor(max_workers=1, initializer=_init_worker, initargs=(log_path,)) as one:
                    try:
                        rows[i] = one.submit(run_item, items[i]).result()
                    except Exception as exc:  # noqa: BLE001
                        rows[i] = {"group": items[i]["group"], "id": items[i]["id"],
                                   "error": f"worker died: {_first_line(exc)}"}
            left = []
        todo = left
    return [rows[i] for i in range(len(items))]


# ----------------------------------------------------------------------------------------------
# Part 1: the summary
# ----------------------------------------------------------------------------------------------

def summarize_items(rows: List[dict]) -> dict:
    groups: Dict[str, dict] = {}
    for group in ("catalog", "probe", "example", "all"):
        rs = [r for r in rows if (group == "all" or r["group"] == group)]
        judged = [r for r in rs if "safe" in r]
        s: Dict[str, Any] = {
            "items": len(rs), "skipped": sum(1 for r in rs if "skipped" in r),
            "errors": [f"{r['id']}: {r['error']}" for r in rs if "error" in r],
        }
        fx = Counter()
        for r in judged:
            fx.update(r.get("fixes", {}))
        s["findings"] = dict(fx)
        s["items_with_a_fix"] = sum(1 for r in judged if r.get("fixes", {}).get("with_fix"))
        broken = [r for r in judged if r.get("broken")]
        s["broken"] = len(broken)
        s["broken_measured_not_recorded"] = sum(1 for r in judged if r.get("broken") and not r.get("broken_recorded"))
        s["recorded_broken_measured_ok"] = sum(
            1 for r in judged if r.get("broken_recorded") and r.get("before", {}).get("verdict") in ("ok", "matches"))
        for level in ("safe", "unsafe"):
            lv = [r[level] for r in judged]
            s[level] = {
                "items_changed": sum(1 for x in lv if x["changed"]),
                "fixes_applied": sum(sum(x["applied"].values()) for x in lv),
                "repaired": sum(1 for r in broken if r[level]["repaired"]),
                "repair_rate": round(sum(1 for r in broken if r[level]["repaired"]) / max(1, len(broken)), 3),
                "eager_changed": [f"{r['id']} ({','.join(r[level]['applied'])}): {r[level].get('eager_detail')}"
                                  for r in judged if not r[level].get("eager_same", True)],
                "unparsable": [r["id"] for r in judged if not r[level]["parses"]],
                "rolled_back": [f"{r['id']}: {c}" for r in judged for c, _why in r[level]["rolled_back"]],
                "not_converged": [f"{r['id']}: {','.join(c)}" for r in judged for c in r[level]["not_converged"]],
                "crashes": [f"{r['id']}: {r[level]['crash']}" for r in judged if r[level].get("crash")],
                "not_idempotent": [f"{r['id']}: {r[level].get('second_applied') or r[level].get('second_crash')}"
                                   for r in judged if not r[level]["idempotent"]],
                "fixed_but_still_broken": sum(1 for r in broken if r[level]["changed"] and not r[level]["repaired"]),
            }
        groups[group] = s
    # broken, not repaired even with unsafe fixes: grouped by the rules still firing on the fixed
    # text (deprecation JIT4xx and tool JIT0xx findings aside), or "no finding"
    unrepaired: Dict[str, List[str]] = defaultdict(list)
    for r in rows:
        if "unsafe" not in r or not r.get("broken") or r["unsafe"]["repaired"]:
            continue
        st = r["unsafe"]
        codes = [c for c in st["remaining"] if not c.startswith(("JIT0", "JIT4"))]
        label = f"{r['id']} [{st['verdict']}{', fixed' if st['changed'] else ''}]"
        applied = ",".join(sorted(st["applied"]))
        if st["changed"] and not st.get("eager_same", True):
            unrepaired[f"{applied} fix changed eager"].append(label)
            continue
        if st["changed"] and not codes:
            unrepaired[f"{applied} fixed, finding gone, still {st['verdict']}"].append(label)
            continue
        for c in codes or ["no finding"]:
            fixable = c in st.get("remaining_fixable", [])
            unrepaired[c + (" (fix offered, not repairing)" if fixable else "")].append(label)
    return {"groups": groups,
            "unrepaired": dict(sorted(unrepaired.items(), key=lambda kv: (-len(kv[1]), kv[0])))}


def report_items(summary: dict, verbose: bool) -> str:
    g = summary["groups"]
    cols = ("catalog", "probe", "example", "all")
    lines = ["Part 1: fixes on the ground-truth catalog (snippets, probes) and the rules' INVALID examples",
             f"  {'':36s}" + "".join(f"{c:>10s}" for c in cols)]

    def row(label, fn):
        lines.append(f"  {label:36s}" + "".join(f"{fn(g[c])!s:>10s}" for c in cols))

    row("items", lambda s: s["items"])
    row("  skipped (missing module)", lambda s: s["skipped"])
    row("  bench errors", lambda s: len(s["errors"]))
    row("findings", lambda s: s["findings"].get("findings", 0))
    row("  carrying a fix", lambda s: s["findings"].get("with_fix", 0))
    row("    safe", lambda s: s["findings"].get("safe", 0))
    row("    unsafe", lambda s: s["findings"].get("unsafe", 0))
    row("    display-only", lambda s: s["findings"].get("display_only", 0))
    row("    through a codemod", lambda s: s["findings"].get("codemod", 0))
    row("items with a fix offered", lambda s: s["items_with_a_fix"])
    row("broken (compiler rejects/diverges)", lambda s: s["broken"])
    for level in ("safe", "unsafe"):
        name = "safe-only (--fix)" if level == "safe" else "with unsafe (--unsafe-fixes)"
        lines.append(f"  {name}")
        row("  items changed", lambda s: s[level]["items_changed"])
        row("  fixes applied", lambda s: s[level]["fixes_applied"])
        row("  repaired", lambda s: s[level]["repaired"])
        row("  repair rate (repaired/broken)",
            lambda s: f"{100 * s[level]['repaired'] / max(1, s['broken']):.1f}%")
        row("  fixed but still broken", lambda s: s[level]["fixed_but_still_broken"])
        row("  eager result changed (must be 0)", lambda s: len(s[level]["eager_changed"]))
        row("  fixed text unparsable (must be 0)", lambda s: len(s[level]["unparsable"]))
        row("  fix-loop crash (must be 0)", lambda s: len(s[level]["crashes"]))
        row("  second run changes (must be 0)", lambda s: len(s[level]["not_idempotent"]))
        row("  fixes rolled back", lambda s: len(s[level]["rolled_back"]))
        row("  not converged", lambda s: len(s[level]["not_converged"]))
    a = g["all"]
    lines.append(f"  (broken measured here but not in results.json: {a['broken_measured_not_recorded']};"
                 f" broken in results.json but the original compiles and matches here: {a['recorded_broken_measured_ok']})")
    for level in ("safe", "unsafe"):
        for key in ("eager_changed", "unparsable", "crashes", "not_idempotent", "rolled_back", "not_converged"):
            if a[level][key]:
                lines.append(f"  {level} {key.replace('_', ' ')}:")
                lines += [f"    {x}" for x in a[level][key][:40]]
    if a["errors"]:
        lines.append("  bench errors: " + "; ".join(a["errors"][:20]))
    lines.append("Broken and not repaired (with unsafe fixes), by the rule still firing on the fixed text:")
    for code, ids in summary["unrepaired"].items():
        shown = ids if verbose else ids[:8]
        more = "" if len(shown) == len(ids) else f" ... (+{len(ids) - len(shown)})"
        lines.append(f"  {code:44s} {len(ids):4d}  " + ", ".join(shown) + more)
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Part 2: the corpus through the command line
# ----------------------------------------------------------------------------------------------

def _copy_sources(src: Path, dst: Path, files: Optional[set] = None) -> int:
    """Copy the .py/.pyi files of ``src`` (all, or the relative paths in ``files``) to ``dst``."""
    n = 0
    for directory, dirs, names in os.walk(src):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        rel_dir = Path(directory).relative_to(src)
        for name in names:
            if not name.endswith((".py", ".pyi")):
                continue
            rel = rel_dir / name
            if files is not None and str(rel) not in files:
                continue
            (dst / rel_dir).mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(directory) / name, dst / rel)
            n += 1
    return n


def _unpack_wheel(wheel: Path, name: str, dst: Path) -> Optional[Path]:
    with zipfile.ZipFile(wheel) as zf:
        members = [m for m in zf.namelist() if m.startswith(name + "/") and m.endswith((".py", ".pyi"))]
        if not members:
            return None
        for m in members:
            zf.extract(m, dst)
    return dst / name


def locate_corpus(specs: List[str], wheels: Optional[Path], download: bool, work: Path) -> Tuple[Dict[str, dict], List[str]]:
    """name -> {"dir", "from"} for each corpus entry; and the notes on what is missing."""
    found: Dict[str, dict] = {}
    notes: List[str] = []
    unpack = work / "unpacked"
    for spec in specs:
        path = Path(spec)
        if path.suffix == ".whl" and path.exists():
            name = path.name.split("-")[0]
            d = _unpack_wheel(path, name, unpack)
            if d:
                found[name] = {"dir": d, "from": f"wheel {path.name}"}
            else:
                notes.append(f"{spec}: no {name}/ package in the wheel")
            continue
        if path.is_dir():
            found[path.name] = {"dir": path.resolve(), "from": "directory"}
            continue
        name = spec
        s = importlib.util.find_spec(name)
        if s is not None and s.submodule_search_locations:
            d = Path(os.path.realpath(list(s.submodule_search_locations)[0]))
            found[name] = {"dir": d, "from": "site-packages"}
            continue
        candidates = sorted(wheels.glob(f"{name}-*.whl")) if wheels and wheels.is_dir() else []
        if not candidates and download:
            dl = work / "downloads"
            proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", name, "-d", str(dl)],
                                  capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                notes.append(f"{name}: not installed, and pip download failed: {proc.stderr.strip().splitlines()[-1:]}")
                continue
            candidates = sorted(dl.glob(f"{name}-*.whl"))
        if candidates:
            d = _unpack_wheel(candidates[-1], name, unpack)
            if d:
                found[name] = {"dir": d, "from": f"wheel {candidates[-1].name}"}
                continue
        notes.append(f"{name}: not installed in this Python, no wheel given (--wheels DIR, --corpus X.whl) "
                     f"and --download not set: left out")
    return found, notes


FIXED_RE = re.compile(r"^Fixed (\d+) errors?:$")
FIXED_FILE_RE = re.compile(r"^- (?P<path>.+):$")
FIXED_CODE_RE = re.compile(r"^\s+(?P<n>\d+) × (?P<code>JIT\d{3}) ")
ROLLED_RE = re.compile(r"^jitlint: warning: (?P<path>.+?): the (?P<code>JIT\d{3}) fix was rolled back: (?P<why>.*)$")
CONVERGE_RE = re.compile(r"^jitlint: error: failed to converge after \d+ passes in (?P<path>.+?) with rule codes (?P<codes>.*)$")
FINDING_RE = re.compile(r"^(?P<path>/.+?):(?P<row>\d+):(?P<col>\d+): (?P<code>JIT\d{3}) (?P<msg>.*)$")


def _snapshot(root: Path, texts: Optional[Dict[str, bytes]] = None) -> Dict[str, str]:
    out = {}
    for directory, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".jitlint_cache"]
        for name in names:
            p = os.path.join(directory, name)
            with open(p, "rb") as fh:
                data = fh.read()
            out[p] = hashlib.sha1(data).hexdigest()
            if texts is not None:
                texts[p] = data
    return out


def _diff(path: str, old: bytes, root: Path) -> str:
    import difflib

    with open(path, "rb") as fh:
        new = fh.read()
    rel = os.path.relpath(path, root)
    a = old.decode("utf-8", "replace").splitlines(keepends=True)
    b = new.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, fromfile=rel, tofile=rel, n=1))


def _parses(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            ast.parse(fh.read(), path)
        return True
    except (SyntaxError, ValueError):
        return False


def cli_fix(dirs: List[Path], unsafe: bool, jobs: int, work: Path, tag: str, cache: bool) -> dict:
    """One ``jitlint check --fix`` run over ``dirs``; what it printed, parsed. With ``cache``,
    the cache lives in ``work`` (the config's folder): a later run re-analyses changed files only."""
    config = work / "jitlint.toml"
    config.write_text("max-file-size = 4000000\n")
    cmd = [sys.executable, "-m", "jitlint", "check", *map(str, dirs), "--config", str(config), "--select", "ALL",
           *(() if cache else ("--no-cache",)), "--fix", "--show-fixes", "--exit-zero", "--output-format", "concise",
           "--jobs", str(jobs)]
    if unsafe:
        cmd.append("--unsafe-fixes")
    out_path, err_path = work / f"{tag}.stdout", work / f"{tag}.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=out, stderr=err, cwd=work)
        wall = time.perf_counter() - t0
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    applied: Counter = Counter()
    files_fixed = set()
    current = None
    internal = []
    remaining = 0
    for line in stdout.splitlines():
        m = FIXED_FILE_RE.match(line)
        if m:
            current = m["path"]
            continue
        m = FIXED_CODE_RE.match(line)
        if m and current:
            applied[m["code"]] += int(m["n"])
            files_fixed.add(current)
            continue
        m = FINDING_RE.match(line)
        if m:
            remaining += 1
            if m["code"] == "JIT003":
                internal.append(line[:300])
    rolled = [m.groupdict() for m in map(ROLLED_RE.match, stderr.splitlines()) if m]
    stuck = [m.groupdict() for m in map(CONVERGE_RE.match, stderr.splitlines()) if m]
    internal += [line[:300] for line in stderr.splitlines() if "JIT003" in line or "Traceback" in line]
    return {"cmd": " ".join(cmd[1:]), "rc": proc.returncode, "wall_s": round(wall, 1),
            "fixes_applied": sum(applied.values()), "by_rule": dict(sorted(applied.items())),
            "files_reported_fixed": len(files_fixed), "rolled_back": rolled, "not_converged": stuck,
            "internal_errors": internal, "remaining_findings": remaining,
            "stderr_tail": stderr.strip().splitlines()[-10:] if proc.returncode not in (0, 1) else []}


def fix_tree(label: str, dirs: List[Path], jobs: int, work: Path, cold: bool) -> dict:
    """safe --fix twice, then --fix --unsafe-fixes twice, over the copies in ``dirs``. The first
    run starts with an empty cache (its own folder); the others reuse it unless ``cold``."""
    roots = dirs
    (work / f"run-{label}").mkdir(parents=True, exist_ok=True)  # config, cache and output of the runs
    before: Dict[str, str] = {}
    originals: Dict[str, bytes] = {}
    for d in roots:
        before.update(_snapshot(d, originals))
    parsed_before = {p for p in before if _parses(p)}
    runs = {}
    state = before
    for tag, unsafe in (("safe", False), ("safe-again", False), ("unsafe", True), ("unsafe-again", True)):
        print(f"  ... {label}: jitlint check --fix{' --unsafe-fixes' if unsafe else ''} ({tag})", file=sys.stderr, flush=True)
        run = cli_fix(roots, unsafe, jobs, work / f"run-{label}", tag, cache=not cold)
        run["cache"] = "none" if cold else ("empty (cold)" if tag == "safe" else "warm")
        after = {}
        for d in roots:
            after.update(_snapshot(d))
        changed = [p for p in after if after[p] != state.get(p)]
        run["files_changed"] = len(changed)
        run["unparsable_after"] = sorted(p for p in changed if p in parsed_before and not _parses(p))
        state = after
        runs[tag] = run
    changed = sorted(p for p in state if state[p] != before.get(p))
    base = work / "corpus" if label == "corpus" else roots[0].parent
    diffs = {os.path.relpath(p, base): _diff(p, originals.get(p, b""), base) for p in changed[:500]}
    return {"files": len(before), "parsed_before": len(parsed_before), "runs": runs,
            "changed_total": len(changed), "diffs": diffs}


def run_corpus(args, work: Path) -> dict:
    specs = args.corpus or list(PACKAGES)
    found, notes = locate_corpus(specs, args.wheels, args.download, work)
    out: Dict[str, Any] = {"packages": {}, "notes": notes, "trees": {}}
    rng = random.Random(0)
    copies = []
    for name, info in found.items():
        src = Path(info["dir"])
        files = None
        total = sum(1 for p in src.rglob("*") if p.suffix in (".py", ".pyi") and "__pycache__" not in p.parts)
        if args.limit and total > args.limit:
            every = sorted(str(p.relative_to(src)) for p in src.rglob("*")
                           if p.suffix in (".py", ".pyi") and "__pycache__" not in p.parts)
            files = set(rng.sample(every, args.limit))
        dst = work / "corpus" / name
        n = _copy_sources(src, dst, files)
        out["packages"][name] = {"from": info["from"], "dir": str(src), "files": n, "of": total}
        copies.append(dst)
    if copies:
        out["trees"]["corpus"] = fix_tree("corpus", copies, args.jobs, work, args.cold)
    spec = importlib.util.find_spec("torch")
    if spec is not None and spec.submodule_search_locations:
        nn = Path(os.path.realpath(list(spec.submodule_search_locations)[0])) / "nn"
        dst = work / "torch_nn" / "nn"
        n = _copy_sources(nn, dst)
        out["packages"]["torch/nn"] = {"from": "site-packages", "dir": str(nn), "files": n, "of": n}
        out["trees"]["torch/nn"] = fix_tree("torch-nn", [dst], args.jobs, work, args.cold)
    else:
        notes.append("torch is not installed: no torch/nn run")
    return out


def report_corpus(c: dict) -> str:
    lines = ["Part 2: jitlint check --select ALL --fix [--unsafe-fixes], twice each, over copies of real sources"
             " (first run cold, the others reuse its cache unless --cold)"]
    for name, p in c["packages"].items():
        sample = "" if p["files"] == p["of"] else f" (sample of {p['of']})"
        lines.append(f"  {name:13s} {p['files']:>5d} files{sample}  from {p['from']}")
    for note in c["notes"]:
        lines.append(f"  note: {note}")
    head = f"  {'tree / run':28s}{'wall s':>8s}{'changed':>9s}{'fixes':>7s}{'rolled':>8s}{'stuck':>7s}{'unparse':>9s}{'JIT003':>8s}{'rc':>4s}"
    for tree, t in c["trees"].items():
        lines.append(f"  {tree}: {t['files']} files ({t['parsed_before']} parse before)")
        lines.append(head)
        for tag, r in t["runs"].items():
            lines.append(f"  {tag:28s}{r['wall_s']:>8.1f}{r['files_changed']:>9d}{r['fixes_applied']:>7d}"
                         f"{len(r['rolled_back']):>8d}{len(r['not_converged']):>7d}{len(r['unparsable_after']):>9d}"
                         f"{len(r['internal_errors']):>8d}{r['rc']:>4d}")
        for tag, r in t["runs"].items():
            if r["by_rule"]:
                lines.append(f"  {tag} fixes by rule: " + ", ".join(f"{k} {v}" for k, v in r["by_rule"].items()))
            for x in r["rolled_back"][:10]:
                lines.append(f"  {tag} rolled back: {x['code']} in {x['path']}: {x['why']}")
            for x in r["not_converged"][:10]:
                lines.append(f"  {tag} not converged: {x['path']} ({x['codes']})")
            for x in r["unparsable_after"][:10]:
                lines.append(f"  {tag} UNPARSABLE after fix: {x}")
            for x in r["internal_errors"][:10]:
                lines.append(f"  {tag} internal error: {x}")
            for x in r["stderr_tail"]:
                lines.append(f"  {tag} stderr: {x}")
        for rel, d in list(t["diffs"].items())[:40]:
            n = sum(1 for x in d.splitlines() if x.startswith(("+", "-")) and not x.startswith(("+++", "---")))
            lines.append(f"  changed: {rel} ({n} lines +/-; the diff is in --json)")
        lines.append(f"  second runs change nothing: safe {t['runs']['safe-again']['files_changed'] == 0},"
                     f" unsafe {t['runs']['unsafe-again']['files_changed'] == 0};"
                     f" files changed in all: {t['changed_total']}")
    return "\n".join(lines)


def corpus_bad(c: dict) -> bool:
    for t in c["trees"].values():
        for tag, r in t["runs"].items():
            if r["unparsable_after"] or r["internal_errors"] or r["rc"] not in (0, 1):
                return True
            if tag.endswith("again") and r["files_changed"]:
                return True
    return False


# ----------------------------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--catalog", type=Path, default=DEFAULT_GT, help="the ground-truth folder (results.json, snippets/)")
    ap.add_argument("--corpus", action="append",
                    help="package name (site-packages), directory or .whl; repeatable (default: torch, torchvision, timm, transformers)")
    ap.add_argument("--wheels", type=Path, help="folder of wheels for corpus packages not installed")
    ap.add_argument("--download", action="store_true", help="pip download --no-deps the corpus packages not found")
    ap.add_argument("--limit", type=int, default=0, help="corpus: a seeded sample of at most N files per package")
    ap.add_argument("--jobs", type=int, default=max(1, min(8, os.cpu_count() or 1)), help="worker processes")
    ap.add_argument("--cold", action="store_true",
                    help="corpus: --no-cache on every run (default: the first run is cold, the others reuse its cache)")
    ap.add_argument("--skip-items", action="store_true", help="skip part 1 (catalog, probes, examples)")
    ap.add_argument("--skip-corpus", action="store_true", help="skip part 2 (corpus)")
    ap.add_argument("--no-probes", action="store_true", help="part 1 without the catalog's probes")
    ap.add_argument("--only", help="part 1: only items whose id contains this")
    ap.add_argument("--verbose", action="store_true", help="list every unrepaired item")
    ap.add_argument("--json", type=Path, help="also write every figure and row here")
    args = ap.parse_args(argv)
    data: Dict[str, Any] = {}
    bad = False
    with tempfile.TemporaryDirectory(prefix="jitlint-autofix-") as tmp:
        work = Path(tmp)
        if not args.skip_items:
            items: List[dict] = []
            if (args.catalog / "results.json").exists():
                items += catalog_items(args.catalog)
            else:
                print(f"no catalog at {args.catalog}: catalog snippets and probes left out", file=sys.stderr)
            if args.no_probes:
                items = [i for i in items if i["group"] != "probe"]
            items += example_items()
            if args.only:
                items = [i for i in items if args.only in i["id"]]
            t0 = time.perf_counter()
            rows = run_items(items, args.jobs, str(work / "workers.log"))
            summary = summarize_items(rows)
            summary["wall_s"] = round(time.perf_counter() - t0, 1)
            print(report_items(summary, args.verbose))
            print(f"  (part 1: {len(items)} items in {summary['wall_s']} s with {args.jobs} workers)")
            data["items"] = {"summary": summary, "rows": rows}
            a = summary["groups"]["all"]
            bad = bad or any(a[lv][k] for lv in ("safe", "unsafe")
                             for k in ("eager_changed", "unparsable", "crashes", "not_idempotent")) or bool(a["errors"])
        if not args.skip_corpus:
            corpus = run_corpus(args, work)
            print(report_corpus(corpus))
            data["corpus"] = corpus
            bad = bad or corpus_bad(corpus)
    if args.json:
        args.json.write_text(json.dumps(data, indent=2, default=str))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
