"""Find the Python line whose decision a trace froze.

A trace records one path through ``forward``.  When the traced model disagrees with eager
on another input and torch emitted no TracerWarning (``for i in range(x.size(0))``,
``if x.dtype == ...``, ``if x.dim() == 2`` are silent), the cause is a Python branch or loop
that went another way for that input.  Running eager ``forward`` under ``sys.settrace`` for
the trace example and for the diverging input and comparing the sequences of executed user
lines finds it: the last line both runs executed before they parted is the ``if``/``for``
that decided differently.  This only runs after a divergence was found, so it costs nothing
when a model verifies.
"""

from __future__ import annotations

import os
import re
import sys
import sysconfig
from typing import Callable, List, Optional, Sequence, Tuple

from . import rule_map
from .diagnostics import in_torch, make_location, source_line
from .report import Cause

MAX_EVENTS = 200_000
_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
_STDLIB_DIRS = tuple(
    os.path.abspath(p) + os.sep
    for p in {sysconfig.get_paths().get("stdlib"), sysconfig.get_paths().get("platstdlib")}
    if p
)

Line = Tuple[str, int]


def _is_user_file(path: str) -> bool:
    if not path or path.startswith("<"):
        return False
    full = os.path.abspath(path)
    if in_torch(full) or full.startswith(_RUNTIME_DIR + os.sep):
        return False
    return not full.startswith(_STDLIB_DIRS)


def executed_lines(fn: Callable, args: Sequence) -> Tuple[List[Line], Optional[BaseException]]:
    """The user-code lines ``fn(*args)`` executes, in order (torch and stdlib skipped)."""
    events: List[Line] = []
    user_file_cache = {}

    def tracer(frame, event, arg):
        filename = frame.f_code.co_filename
        is_user = user_file_cache.get(filename)
        if is_user is None:
            is_user = user_file_cache[filename] = _is_user_file(filename)
        if not is_user:
            return None
        if event == "line" and len(events) < MAX_EVENTS:
            events.append((filename, frame.f_lineno))
        return tracer

    previous = sys.gettrace()
    error = None
    sys.settrace(tracer)
    try:
        fn(*args)
    except Exception as exc:  # noqa: BLE001 - the eager run raising is itself informative
        error = exc
    finally:
        sys.settrace(previous)
    return events, error


def parting_line(a: List[Line], b: List[Line]) -> Optional[Line]:
    """The last line both sequences share before they differ (None if they never differ)."""
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return a[i - 1] if i > 0 else None
    if len(a) == len(b):
        return None
    return a[n - 1] if n > 0 else None


_LOOP = ("for ", "while ", "async for ")


def classify_line(text: str) -> Optional[str]:
    """The rule for a Python decision that a trace froze, judged from its source line."""
    stripped = text.strip()
    shape_like = bool(re.search(rule_map.SHAPE_SOURCE, stripped))
    if "self.training" in stripped:
        return "JIT313"
    if stripped.startswith(_LOOP) or (" for " in stripped and "[" in stripped):  # loops, comprehensions
        return "JIT306"
    if shape_like:
        return "JIT305"
    if stripped.startswith(("if ", "elif ", "while ", "assert ")) or " if " in stripped:
        return "JIT304"
    return None


def find_frozen_decision(
    make_eager: Callable[[], Callable], example_args: Sequence, other_args: Sequence
) -> Optional[Cause]:
    """Run two fresh eager copies on the trace example and on the diverging input and
    return the decision point as a :class:`Cause`, or None if both took the same path."""
    seq_a, _ = executed_lines(make_eager(), example_args)
    seq_b, _ = executed_lines(make_eager(), other_args)
    parted = parting_line(seq_a, seq_b)
    if parted is None:
        return None
    path, line = parted
    text = source_line(path, line) or ""
    code = classify_line(text)
    return Cause(
        code=code,
        rule=rule_map.RULE_NAMES.get(code) if code else None,
        evidence="control flow",
        detail="eager Python took a different path here for this input than for the trace example; "
        "the trace recorded only the example's path",
        location=make_location(path, line),
    )
