"""Profile-directed typing: the runtime types of what forward's functions were called with.

``jitlint fix --annotate-from FILE.py::TARGET`` runs this module in a fresh process (the
user's code runs only here, never in the linter). It builds the target, runs eager forward on
each of its inputs with a ``sys.setprofile`` hook, and records, for every Python function
defined under the watched roots (the scratch copy of the project) that forward calls, the
types its parameters held, as TorchScript spells them. What ``torch.jit.script(model,
example_inputs=...)`` and MonkeyType learn the same way, but written into the source, where
``codemods/observed_annotations.py`` turns it into fixes that ``fix --verify`` proves.

Spelling follows ``torch.jit.annotations`` (``Tensor``, ``int``, ``float``, ``bool``, ``str``,
``List[T]``, ``Dict[K, V]`` with ``str``/``int``/``float``/``Tensor`` keys, ``Tuple[...]``,
``Optional[T]`` when ``None`` was seen beside ``T``). Anything else (an ``nn.Module``
submodule, a project class, an empty container, a list of mixed types, ``int`` in one call
and ``float`` in another) is not written: the fix would be a guess.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict, List, Optional, Set, Tuple

sys.dont_write_bytecode = True

from . import worker  # noqa: E402 - after dont_write_bytecode

NONE = "None"
_DEPTH = 4


def type_of(value: Any, depth: int = 0) -> Optional[str]:
    """The TorchScript type of ``value``, or None when it has no annotation to write."""
    import torch

    if depth > _DEPTH:
        return None
    if value is None:
        return NONE
    if isinstance(value, torch.Tensor):
        return "torch.Tensor"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, torch.device):
        return "torch.device"
    if isinstance(value, torch.dtype):
        return "torch.dtype"
    if type(value) is tuple:
        inner = [type_of(v, depth + 1) for v in value]
        if not inner or any(i is None or i == NONE for i in inner):
            return None
        return f"Tuple[{', '.join(inner)}]"
    if type(value) is list:
        inner = {type_of(v, depth + 1) for v in value}
        if len(inner) != 1 or None in inner or NONE in inner:
            return None
        return f"List[{inner.pop()}]"
    if type(value) is dict:
        keys = {type_of(k, depth + 1) for k in value}
        values = {type_of(v, depth + 1) for v in value.values()}
        if len(keys) != 1 or len(values) != 1 or None in values or NONE in values:
            return None
        key = keys.pop()
        if key not in ("str", "int", "float", "torch.Tensor"):
            return None
        return f"Dict[{key}, {values.pop()}]"
    return None


def join(seen: Set[Optional[str]]) -> Optional[str]:
    """One annotation for every type a parameter held, or None when they disagree."""
    if None in seen or not seen:
        return None
    kinds = seen - {NONE}
    if len(kinds) != 1:
        return None  # only None, or two different types
    kind = next(iter(kinds))
    return f"Optional[{kind}]" if NONE in seen else kind


class Recorder:
    """A ``sys.setprofile`` hook collecting parameter types per function defined under ``roots``."""

    def __init__(self, roots: List[str]):
        self.roots = [os.path.realpath(r) for r in roots if r]
        self.seen: Dict[Tuple[str, str], Dict[str, Set[Optional[str]]]] = {}
        self._files: Dict[str, bool] = {}

    def _ours(self, filename: str) -> bool:
        known = self._files.get(filename)
        if known is None:
            real = os.path.realpath(filename)
            known = any(real == r or real.startswith(r + os.sep) for r in self.roots)
            self._files[filename] = known
        return known

    def __call__(self, frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        if not self._ours(code.co_filename):
            return
        n = code.co_argcount + code.co_kwonlyargcount
        names = code.co_varnames[:n]
        record = self.seen.setdefault((code.co_filename, code.co_qualname), {})
        local = frame.f_locals
        for name in names:
            if name in local:
                try:
                    record.setdefault(name, set()).add(type_of(local[name]))
                except Exception:  # noqa: BLE001 - a user value whose isinstance checks raise
                    record.setdefault(name, set()).add(None)

    def results(self) -> List[Dict[str, Any]]:
        out = []
        for (filename, qualname), params in sorted(self.seen.items()):
            typed = {name: t for name, seen in params.items() if (t := join(seen)) is not None}
            if typed:
                out.append({"file": os.path.realpath(filename), "qualname": qualname, "params": typed})
        return out


def run(spec: Dict[str, Any]) -> Dict[str, Any]:
    import torch

    from .api import normalize_inputs

    roots = spec.get("watch_roots") or []
    try:
        model, inputs, _options = worker.load_case(spec["file"], spec["name"])
        args_list = normalize_inputs(inputs)
    except worker.TargetError as exc:
        return {"status": worker.TARGET_ERROR, "message": str(exc)}
    except (TypeError, ValueError) as exc:
        return {"status": worker.TARGET_ERROR, "message": f"{spec['name']}(): {exc}"}
    recorder = Recorder(roots)
    errors = []
    for index, args in enumerate(args_list):
        torch.manual_seed(0)
        previous = sys.getprofile()
        sys.setprofile(recorder)
        try:
            with torch.no_grad():
                model(*args)
        except BaseException as exc:  # noqa: BLE001 - eager failing on an input is reported, not fatal
            errors.append(f"input #{index}: eager forward raised {type(exc).__name__}: {exc}"[:300])
        finally:
            sys.setprofile(previous)
    return {"status": worker.OK, "report": None,
            "extra": {"observed": recorder.results(), "errors": errors}}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0]) as fh:
        spec = json.load(fh)
    try:
        sys.stdout.flush()
        os.dup2(2, 1)
    except OSError:
        pass
    from . import api  # noqa: F401 - imports torch

    if spec.get("cwd"):
        os.chdir(spec["cwd"])
        cwd = os.path.abspath(spec["cwd"])
        if cwd not in sys.path:
            sys.path.append(cwd)
    try:
        sys.__stderr__.write(worker.STARTED_MARKER + "\n")
        sys.__stderr__.flush()
    except (OSError, ValueError):
        pass
    try:
        result = run(spec)
    except BaseException as exc:  # noqa: BLE001
        result = {"status": worker.INTERNAL_ERROR, "message": f"{type(exc).__name__}: {exc}"}
    with open(spec["result"], "w") as fh:
        json.dump(result, fh, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
