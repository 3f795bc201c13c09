"""Class-level constants the compiler folds: ``__constants__`` entries and ``Final`` annotations."""

from __future__ import annotations

from typing import Dict, FrozenSet

import libcst as cst

_FINAL = ("typing.Final", "typing_extensions.Final", "torch.jit.Final")


def class_constants(class_node: cst.ClassDef, ctx) -> FrozenSet[str]:
    """Names a class body declares constant: ``__constants__`` entries and ``Final`` annotations.

    Cached per file (the class body is scanned once, not once per assignment)."""
    cache: Dict[int, FrozenSet[str]] = ctx.file.__dict__.setdefault("_jit141_constants", {})
    key = id(class_node)
    found = cache.get(key)
    if found is not None:
        return found
    names = set()
    for stmt in class_node.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == "__constants__" for t in small.targets):
                if isinstance(small.value, (cst.List, cst.Tuple, cst.Set)):
                    for el in small.value.elements:
                        if isinstance(el.value, cst.SimpleString):
                            value = el.value.evaluated_value
                            if isinstance(value, str):
                                names.add(value)
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                ann = small.annotation.annotation
                head = ann.value if isinstance(ann, cst.Subscript) else ann
                if ctx.names.resolve(_dotted(head)) in _FINAL:
                    names.add(small.target.value)
    found = frozenset(names)
    cache[key] = found
    return found


def _dotted(node) -> str:
    from ..analysis.names import dotted_name

    return dotted_name(node) or ""
