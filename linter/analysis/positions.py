"""Positions for the few nodes that carry findings, without libcst's PositionProvider.

PositionProvider records a range for every node of the file and costs about two full
parses; jitlint needs positions only for reported nodes, so it regenerates the file's code
once (plain codegen is ~20% of a parse) with a codegen state that counts lines and columns
and records ranges for a given set of target nodes only. Ranges follow PositionProvider's
syntactic rules (``record_syntactic_position``), so e.g. a function's range starts at ``def``,
not at its decorators or leading comments.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Dict, Iterable, Iterator, Optional, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

Range = Tuple[int, int, int, int]  # start line (1-based), start col (0-based), end line, end col


class _NoRecord:
    """A reusable no-op context manager (libcst asks for one per node; most are not targets)."""

    __slots__ = ()

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


_NO_RECORD = _NoRecord()


class _TargetedPositionState(CodegenState):
    """Plain codegen that notes *token indexes* where target nodes start and end.

    Tokens are appended by libcst's own fast path; line/column numbers are worked out
    afterwards, once, only at the noted indexes (by joining the tokens between them), instead of
    counting characters in Python for every token of the file.
    """

    def __init__(self, module: cst.Module, targets: Dict[int, cst.CSTNode]):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.targets = targets
        # id(node) -> [start index, end index]; syntactic (hoisted) marks override plain ones
        self.marks: Dict[int, list] = {}
        self.syntactic: Dict[int, list] = {}
        self.hoist: Dict[int, Tuple[Optional[int], Optional[int]]] = {}
        self.ended = 0  # targets whose end mark is set

    def before_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets and key not in self.marks:
            self.marks[key] = [len(self.tokens), None]

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets:
            mark = self.marks.get(key)
            if mark is not None and mark[1] is None:
                mark[1] = len(self.tokens)
                self.ended += 1

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        key = id(node)
        if key not in self.targets:
            return _NO_RECORD
        return self._record(key, start_node, end_node)

    @contextmanager
    def _record(self, key: int, start_node, end_node) -> Iterator[None]:
        mark = [len(self.tokens), None]
        try:
            yield
        finally:
            mark[1] = len(self.tokens)
            if key not in self.syntactic:
                self.syntactic[key] = mark
                self.hoist[key] = (id(start_node) if start_node is not None else None,
                                   id(end_node) if end_node is not None else None)

    def ranges(self) -> Dict[int, Range]:
        marks: Dict[int, list] = {k: list(v) for k, v in self.marks.items()}
        for key, mark in self.syntactic.items():
            start_key, end_key = self.hoist[key]
            start = mark[0]
            end = mark[1]
            if start_key is not None:
                start = self.syntactic.get(start_key, self.marks.get(start_key, mark))[0]
            if end_key is not None:
                end = self.syntactic.get(end_key, self.marks.get(end_key, mark))[1]
            marks[key] = [start, end]
        indexes = sorted({i for m in marks.values() for i in m if i is not None})
        where: Dict[int, Tuple[int, int]] = {}
        line, column, previous = 1, 0, 0
        tokens = self.tokens
        for index in indexes:
            chunk = "".join(tokens[previous:index])
            newlines = chunk.count("\n")
            if newlines:
                line += newlines
                column = len(chunk) - chunk.rfind("\n") - 1
            else:
                column += len(chunk)
            where[index] = (line, column)
            previous = index
        out: Dict[int, Range] = {}
        for key, (start, end) in marks.items():
            if end is None:
                end = start
            out[key] = (*where[start], *where[end])
        return out


def _with_hoisting_children(nodes: Iterable[cst.CSTNode]) -> Dict[int, cst.CSTNode]:
    """Targets plus the children libcst hoists positions from (e.g. a Call's func)."""
    targets: Dict[int, cst.CSTNode] = {}
    for node in nodes:
        targets[id(node)] = node
        # Nodes whose syntactic start is taken from a child: record that child too.
        for child_name in ("func", "value", "left", "target", "body", "test"):
            child = getattr(node, child_name, None)
            if isinstance(child, cst.CSTNode):
                targets[id(child)] = child
    return targets


def compute_ranges(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> Dict[int, Range]:
    """Ranges for ``nodes`` (keyed by ``id(node)``), in one codegen pass over ``module``."""
    nodes = list(nodes)
    if not nodes:
        return {}
    state = _TargetedPositionState(module, _with_hoisting_children(nodes))
    if id(module) in state.targets:
        module._codegen(state)
        return state.ranges()
    # Module._codegen_impl, stopping after the top-level statement where the last target ends:
    # the statements after it only append tokens past every mark. Never at the last statement,
    # whose end the module's trailing-newline handling may change.
    for h in module.header:
        h._codegen(state)
    body = module.body
    last = len(body) - 1
    for i, stmt in enumerate(body):
        stmt._codegen(state)
        if state.ended == len(state.targets) and i < last:
            return state.ranges()
    for f in module.footer:
        f._codegen(state)
    if module.has_trailing_newline:
        if len(state.tokens) == 0:
            state.add_token(state.default_newline)
    else:
        state.pop_trailing_newline()
    return state.ranges()
