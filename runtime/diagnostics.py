"""Turning torch's error texts, warnings and compiled graphs into report entries.

TorchScript errors carry their location as text: ``File "/path/model.py", line 12`` followed
by the offending source with a ``~~~ <--- HERE`` marker.  The first such block is not always
the user's line (``nn.Sequential`` misuse points into ``torch/nn/modules/container.py``), it
is sometimes a use site rather than the construct, and some errors have no block at all
(``while ... else`` crashes with a pybind ``TypeError``; ``async def`` only says
``model.py:11``).  This module extracts the best location it can and says where it points.
"""

from __future__ import annotations

import linecache
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import torch

from . import rule_map
from .compare import clone_args
from .compat import TORCH_DIR, TORCH_JIT_DIR
from .report import Cause, Location

_FILE_LINE = re.compile(r'File "([^"]+)", line (\d+)')
_PATH_COLON_LINE = re.compile(r"([\w./\\-]+\.py):(\d+)\b")
# "%a.5 : float = aten::fmod(%a.1, %8) # /path/model.py:5:4"
_GRAPH_NODE = re.compile(
    r"^\s*(?P<out>[^=]+?)\s*=\s*(?P<op>[\w:]+)(?:\[[^\]]*\])?\((?P<args>[^)]*)\)"
    r"\s*#\s*(?P<file>.+):(?P<line>\d+):(?P<col>\d+)\s*$"
)
_GRAPH_CONST = re.compile(r'^\s*(?P<name>%[\w.]+)\s*:\s*str\s*=\s*prim::Constant\[value="(?P<value>.*)"\]\(\)')
_ERROR_LINE = re.compile(r"^([\w.]*(Error|Exception)|Error)\b")


def in_torch(path: str) -> bool:
    try:
        return os.path.abspath(path).startswith(TORCH_DIR + os.sep)
    except (TypeError, ValueError):
        return False


def source_line(path: str, line: int) -> Optional[str]:
    text = linecache.getline(path, line)
    return text.strip() if text else None


def make_location(path: str, line: int) -> Location:
    path = os.path.abspath(path) if os.path.exists(path) else path
    return Location(file=path, line=line, text=source_line(path, line), in_torch=in_torch(path))


def first_line(message: str) -> str:
    for line in str(message).splitlines():
        if line.strip():
            return line.strip()
    return ""


def key_lines(message: str, limit: int = 4) -> List[str]:
    """The lines that say what went wrong, without the quoted source blocks.

    Keeps the "'helper' is being compiled since it was called from 'forward'" chain lines,
    which tell the user how an unsupported helper was reached.
    """
    out: List[str] = []
    in_block = False
    for raw in str(message).splitlines():
        line = raw.strip()
        if not line:
            in_block = False
            continue
        if "is being compiled since it was called from" in line:
            out.append(line)
            in_block = False
            continue
        if line.startswith(("Graph diff:", "graph(", "Node:", "Source Location:")):
            break  # tracer sanity-check dumps: the graphs themselves are noise here
        if _FILE_LINE.search(line) or line.startswith("Traceback of TorchScript"):
            in_block = True
            continue
        if in_block or "<--- HERE" in line:
            continue
        out.append(line if len(line) <= 240 else line[:237] + "...")
    return out[:limit]


def runtime_error_lines(message: str, limit: int = 2) -> List[str]:
    """For errors raised *inside* the TorchScript interpreter the useful text is at the end
    ("RuntimeError: Expected a proper Tensor but got None ..."), after the TorchScript
    traceback."""
    lines = [text.strip() for text in str(message).splitlines() if text.strip()]
    if not any(text.startswith("Traceback of TorchScript") for text in lines):
        return key_lines(message, limit)
    for i in range(len(lines) - 1, -1, -1):
        if _ERROR_LINE.match(lines[i]):
            return [text[:240] for text in lines[i:i + limit]]
    return [lines[-1][:240]] if lines else []


def _blocks(message: str) -> List[Tuple[str, int, List[str]]]:
    """Every quoted source block: (file, line, lines of the block)."""
    blocks = []
    lines = str(message).splitlines()
    i = 0
    while i < len(lines):
        found = _FILE_LINE.search(lines[i])
        if found:
            body = []
            j = i + 1
            while j < len(lines) and lines[j].strip() and not _FILE_LINE.search(lines[j]):
                body.append(lines[j].rstrip())
                j += 1
            blocks.append((found.group(1), int(found.group(2)), body))
            i = j
        else:
            i += 1
    return blocks


@dataclass
class MessageLocation:
    location: Optional[Location]
    excerpt: List[str]
    how: str  # "user source" | "inside torch" | "path:line in message" | "none"


def locate(message: str, known_files: Sequence[str] = ()) -> MessageLocation:
    """Where an error message points.

    Prefers the first quoted block in user code; falls back to a block inside torch (and
    says so), then to a bare ``path.py:N`` in the text (resolved against ``known_files``,
    the verified object's source files, because torch prints it relative to the cwd).
    """
    blocks = _blocks(message)
    # compile errors print the failing construct first; run-time errors print a TorchScript
    # traceback, most recent call last, so the innermost user frame is the last block
    user_blocks = [b for b in blocks if not in_torch(b[0])]
    if "Traceback of TorchScript" in str(message):
        user_blocks.reverse()
    for path, line, body in user_blocks:
        return MessageLocation(make_location(path, line), body[:8], "user source")
    if blocks:
        path, line, body = blocks[0]
        return MessageLocation(make_location(path, line), body[:8], "inside torch")
    for found in _PATH_COLON_LINE.finditer(str(message)):
        path, line = found.group(1), int(found.group(2))
        resolved = _resolve(path, known_files)
        if resolved:
            return MessageLocation(make_location(resolved, line), [], "path:line in message")
    return MessageLocation(None, [], "none")


def _resolve(path: str, known_files: Sequence[str]) -> Optional[str]:
    if os.path.isabs(path) and os.path.exists(path):
        return path
    for known in known_files:
        if known and (known.endswith(os.sep + path) or os.path.basename(known) == os.path.basename(path)):
            return known
    if os.path.exists(path):
        return os.path.abspath(path)
    return None


# ---------------------------------------------------------------------------------
# warnings
# ---------------------------------------------------------------------------------


@dataclass
class WarningRecord:
    category: str
    message: str
    file: str
    line: int

    @property
    def user_visible(self) -> bool:
        """Would a user running torch.jit.trace have seen it?  torch installs
        ``TracerWarning.ignore_lib_warnings()``, which hides TracerWarnings attributed to
        ``torch.*`` modules other than ``torch.jit``."""
        if self.category != "TracerWarning":
            return True
        if in_torch(self.file):
            return os.path.abspath(self.file).startswith(TORCH_JIT_DIR + os.sep)
        return True

    @property
    def in_user_code(self) -> bool:
        return not in_torch(self.file)


def _warning_text(message: str) -> str:
    """First line of a warning, plus the next one when the first only announces it
    ("Output nr 1. of the traced function does not match ... Detailed error:")."""
    lines = [text.strip() for text in str(message).splitlines() if text.strip()]
    if not lines:
        return ""
    if lines[0].endswith(":") and len(lines) > 1:
        return lines[0] + " " + lines[1]
    return lines[0]


def warning_records(caught: Iterable) -> List[WarningRecord]:
    seen = set()
    out = []
    for w in caught:
        record = WarningRecord(w.category.__name__, _warning_text(str(w.message)), w.filename, w.lineno)
        key = (record.category, record.message, record.file, record.line)
        if key not in seen:
            seen.add(key)
            out.append(record)
    return out


def cause_from_warning(record: WarningRecord, mode: str) -> Cause:
    line_text = source_line(record.file, record.line)
    match = rule_map.classify(record.message, source_line=line_text, phase=rule_map.WARNING, mode=mode)
    return Cause(
        code=match.code if match else None,
        rule=match.name if match else None,
        evidence=record.category,
        detail=_shorten(record.message, 110),
        location=make_location(record.file, record.line) if record.in_user_code else None,
    )


def _shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


# ---------------------------------------------------------------------------------
# compiled-graph hints for silent script miscompilations
# ---------------------------------------------------------------------------------

_FORMAT_NEEDS_PYTHON = re.compile(r"\{[^{}]*[:!][^{}]*\}|\{\d+\}|\{[A-Za-z_]\w*\}")


def graph_hints(compiled) -> List[Cause]:
    """Nodes of a scripted graph known to behave differently from Python.

    Only consulted after outputs diverged, to name a likely cause: ``aten::format`` with a
    ``{:.2f}``/``{0}`` template (left unformatted, JIT126), ``aten::fmod``/``aten::pow``
    produced by ``%=``/``**=`` (C semantics and float results, JIT129), and
    ``aten::IntImplicit``-style casts inserted when a branch rebinds a variable to a
    tensor (JIT116).
    """
    try:
        graph = compiled.inlined_graph
    except Exception:  # noqa: BLE001 - not every compiled object exposes it
        try:
            graph = compiled.graph
        except Exception:  # noqa: BLE001
            return []
    text = str(graph)
    constants = {m.group("name"): m.group("value") for m in map(_GRAPH_CONST.match, text.splitlines()) if m}
    causes: List[Cause] = []
    seen = set()
    for raw in text.splitlines():
        node = _GRAPH_NODE.match(raw)
        if not node:
            continue
        op, path, line = node.group("op"), node.group("file"), int(node.group("line"))
        if in_torch(path):
            continue
        src = source_line(path, line) or ""
        code, detail = None, None
        if op == "aten::format":
            first_arg = node.group("args").split(",")[0].strip()
            template = constants.get(first_arg, "")
            if _FORMAT_NEEDS_PYTHON.search(template):
                code, detail = "JIT126", f"TorchScript's str.format ignores {template!r}'s indices/format specs"
        elif op in ("aten::fmod", "aten::fmod_") and "%=" in src:
            code, detail = "JIT129", "'%=' compiles to aten::fmod (C sign rule, float result for ints)"
        elif op in ("aten::pow", "aten::pow_") and "**=" in src:
            code, detail = "JIT129", "'**=' compiles to aten::pow with a float result"
        elif op in ("aten::IntImplicit", "aten::FloatImplicit", "aten::ScalarImplicit"):
            code, detail = "JIT116", f"{op} converts a tensor assigned in a branch to the variable's first type"
        if code and (code, path, line) not in seen:
            seen.add((code, path, line))
            causes.append(Cause(code, rule_map.RULE_NAMES[code], "compiled graph", detail, make_location(path, line)))
    return causes


_BOOL_OP_VALUE = re.compile(r"^\s*(return\b|[\w.\[\]]+\s*(:[^=]+)?=(?!=)).*\b(or|and)\b")
_CONDITION_START = ("if ", "elif ", "while ", "assert ")


def source_hints(functions: Iterable) -> List[Cause]:
    """Source patterns TorchScript compiles without a word but runs differently.

    * decorators other than ``torch.jit.*``/``staticmethod``/``classmethod``/``property``
      (``@torch.no_grad()``, any ``functools.wraps`` wrapper): the function is compiled
      from its undecorated source, so the decorator's effect disappears (JIT122);
    * ``x = a or b`` / ``return a and b`` on non-bools: TorchScript's ``and``/``or`` yield a
      bool (``3 or 0`` is ``True``), Python's yield an operand (JIT132).
    """
    import inspect

    causes = []
    for fn in functions:
        try:
            # unwrap: the wrapper of a decorated function lives in the decorator's file
            # (torch/utils/_contextlib.py for no_grad); its first line is the decorator's
            inner = inspect.unwrap(fn)
            lines, start = inspect.getsourcelines(inner)
            path = inspect.getsourcefile(inner)
        except (OSError, TypeError, ValueError):
            continue
        in_body = False
        for offset, text in enumerate(lines):
            stripped = text.strip()
            if not in_body:
                if stripped.startswith(("def ", "async def ")):
                    in_body = True
                    continue
                if stripped.startswith("@") and not re.match(r"@(torch\.)?jit\.", stripped) and not re.match(
                    r"@(staticmethod|classmethod|property)\b", stripped
                ):
                    causes.append(Cause(
                        "JIT122", rule_map.RULE_NAMES["JIT122"], "source",
                        f"decorator {stripped.split('#')[0].strip()} is not part of the compiled code "
                        "(script compiles the undecorated source; a trace records tensor ops, not grad mode)",
                        make_location(path, start + offset),
                    ))
                continue
            code = stripped.split("#")[0]
            if not code.startswith(_CONDITION_START) and _BOOL_OP_VALUE.match(code):
                causes.append(Cause(
                    "JIT132", rule_map.RULE_NAMES["JIT132"], "source",
                    "TorchScript's and/or return a bool, Python's return one of the operands",
                    make_location(path, start + offset),
                ))
    return causes


# ---------------------------------------------------------------------------------
# why torch's own trace check failed ("Graphs differed across invocations")
# ---------------------------------------------------------------------------------


def python_rng_states() -> Dict[str, Any]:
    """Fingerprints of the Python-side random generators (random, numpy.random if loaded);
    a trace that changes them drew random numbers torch could not record."""
    import random

    states: Dict[str, Any] = {"random": hash(random.getstate())}
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        try:
            st = numpy.random.get_state()
            states["numpy.random"] = (int(st[2]), hash(st[1].tobytes()))
        except Exception:  # noqa: BLE001
            pass
    return states


def graph_depends_on_grad_mode(fresh: Callable, example, trace_kwargs) -> bool:
    kwargs = dict(trace_kwargs, check_trace=False)
    try:
        with torch.enable_grad():
            with_grad = str(torch.jit.trace(fresh(), clone_args(example), **kwargs).inlined_graph)
        with torch.no_grad():
            without = str(torch.jit.trace(fresh(), clone_args(example), **kwargs).inlined_graph)
    except Exception:  # noqa: BLE001 - only a diagnosis
        return False
    strip = lambda g: [line.split("#")[0].strip() for line in g.splitlines()]  # noqa: E731
    return strip(with_grad) != strip(without)
