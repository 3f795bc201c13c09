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


class _TargetedPositionState(CodegenState):
    """A codegen state that tracks (line, column) and records ranges for target nodes."""

    def __init__(self, module: cst.Module, targets: Dict[int, cst.CSTNode]):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line = 1
        self.column = 0
        self.targets = targets
        self.ranges: Dict[int, Range] = {}
        self._starts: Dict[int, Tuple[int, int]] = {}

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.column += len(token)

    def add_token(self, value: str) -> None:
        newlines = value.count("\n")
        if newlines:
            self.line += newlines
            self.column = len(value) - value.rfind("\n") - 1
        elif "\r" in value:  # old-Mac line endings: count them like the tokenizer does
            self.line += value.count("\r")
            self.column = len(value) - value.rfind("\r") - 1
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets and key not in self._starts:
            self._starts[key] = (self.line, self.column)

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets and key not in self.ranges:
            start = self._starts.get(key, (self.line, self.column))
            self.ranges[key] = (start[0], start[1], self.line, self.column)

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> Iterator[None]:
        key = id(node)
        if key not in self.targets:
            yield
            return
        start = (self.line, self.column)
        try:
            yield
        finally:
            end = (self.line, self.column)
            if start_node is not None and id(start_node) in self.ranges:
                r = self.ranges[id(start_node)]
                start = (r[0], r[1])
            if end_node is not None and id(end_node) in self.ranges:
                r = self.ranges[id(end_node)]
                end = (r[2], r[3])
            self.ranges[key] = (start[0], start[1], end[0], end[1])


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
    module._codegen(state)
    return state.ranges
