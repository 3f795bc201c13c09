"""Walking libcst trees cheaply: children, descendants, parameters, ``self.x`` targets.

libcst's visitor framework rebuilds every node it visits; these helpers read the frozen
dataclasses' fields directly (a field table per node class, built once).
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Optional, Tuple

import libcst as cst

# Fields of libcst nodes that never contain anything a rule looks at.
_SKIP_FIELD_PREFIXES = (
    "whitespace", "lpar", "rpar", "comma", "semicolon", "colon", "dot", "equal", "star",
    "leading_lines", "lines_after", "header", "footer", "trailing_whitespace", "newline",
    "first_line", "default_indent", "default_newline", "encoding", "has_trailing", "asynchronous",
    "operator", "prefix", "quote", "string_prefix", "relative", "semicolon", "indent",
)


_FIELDS: Dict[type, Tuple[str, ...]] = {}


def child_fields(cls: type) -> Tuple[str, ...]:
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = tuple(
            f.name for f in dataclasses.fields(cls) if not f.name.startswith(_SKIP_FIELD_PREFIXES)
        )
        _FIELDS[cls] = fields
    return fields


def _all_node_types() -> frozenset:
    out, stack = set(), [cst.CSTNode]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in out:
                out.add(sub)
                stack.append(sub)
    return frozenset(out)


# libcst's node classes use ABCMeta, whose isinstance() is ~10x slower than a set lookup on
# the exact type; node classes are final, so membership of type(value) is exact.
NODE_TYPES = _all_node_types()


_SEQUENCES = (tuple, list)


def iter_children(node: cst.CSTNode):
    for name in child_fields(type(node)):
        value = getattr(node, name)
        vt = type(value)
        if vt in NODE_TYPES:
            yield value
        elif vt in _SEQUENCES:
            for item in value:
                if type(item) in NODE_TYPES:
                    yield item


def _children_list(node: cst.CSTNode) -> list:
    """``list(iter_children(node))`` without a generator frame per node (the walks' inner loop)."""
    out = []
    fields = _FIELDS.get(type(node)) or child_fields(type(node))
    for name in fields:
        value = getattr(node, name)
        vt = type(value)
        if vt in NODE_TYPES:
            out.append(value)
        elif vt in _SEQUENCES:
            for item in value:
                if type(item) in NODE_TYPES:
                    out.append(item)
    return out


def iter_descendants(node: cst.CSTNode):
    """All nodes below ``node`` (pre-order, cheap field walk)."""
    stack = _children_list(node)
    stack.reverse()
    while stack:
        current = stack.pop()
        yield current
        children = _children_list(current)
        children.reverse()
        stack.extend(children)


def descendant_index(cache: dict, fn: cst.FunctionDef) -> Dict[type, list]:
    """``iter_descendants(fn.body)`` indexed by exact node type, as (pre-order index, node)
    lists, made once per function node and kept in ``cache`` (the file's: see body_nodes)."""
    entry = cache.get(id(fn))
    if entry is None or entry[0] is not fn:
        index: Dict[type, list] = {}
        for i, sub in enumerate(iter_descendants(fn.body)):
            index.setdefault(type(sub), []).append((i, sub))
        entry = cache[id(fn)] = (fn, index)
    return entry[1]


def nodes_of(index: Dict[type, list], *types: type) -> list:
    """The nodes of exactly these types in a descendant index, in pre-order."""
    if len(types) == 1:
        return [sub for _, sub in index.get(types[0], ())]
    found = [item for t in dict.fromkeys(types) for item in index.get(t, ())]
    found.sort(key=lambda item: item[0])
    return [sub for _, sub in found]


BODY_NODES = "syntax.body_nodes"  # the file context's scratch key of the descendant indexes


def function_nodes(file_ctx, fn: cst.FunctionDef, *types: type) -> list:
    """The nodes of exactly these types under any function's body (pre-order), through the file
    context's shared descendant indexes (what body_nodes uses for the walked function)."""
    return nodes_of(descendant_index(file_ctx.scratch.setdefault(BODY_NODES, {}), fn), *types)


def body_nodes(ctx, *types: type) -> list:
    """The nodes of exactly these libcst types under the walked function's body, in the order
    ``iter_descendants(ctx.function.node.body)`` yields them (nested defs included). The body is
    walked once per function node and indexed by node type on the file context, so every rule and
    analysis asking (and a second walk of the same method for a subclass) shares that one walk.
    libcst's node classes are final: exact types are what ``isinstance`` would match."""
    return nodes_of(descendant_index(ctx.file.scratch.setdefault(BODY_NODES, {}), ctx.function.node), *types)


def _all_params(params: cst.Parameters):
    out = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
    if isinstance(params.star_arg, cst.Param):
        out.append(params.star_arg)
    if params.star_kwarg is not None:
        out.append(params.star_kwarg)
    return out


def all_params(params: cst.Parameters):
    return _all_params(params)


def binding_targets(node: cst.CSTNode) -> Tuple[cst.BaseExpression, ...]:
    """The target expressions a statement or clause binds (``a, b = ...``, ``x: T = ...``,
    ``x += ...``, ``for x in``, comprehension ``for``, ``x := ...``, ``as x``); ``()`` for any
    other node. ``global``/``nonlocal`` declare rather than bind: callers decide about them."""
    if isinstance(node, cst.Assign):
        return tuple(t.target for t in node.targets)
    if isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr)):
        return (node.target,)
    if isinstance(node, cst.AsName):
        return (node.name,)
    return ()


def self_attribute(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return node.attr.value
    return None


def self_targets(small: cst.BaseSmallStatement, self_name: str):
    """(attribute node, attribute name) for every ``self.x`` an assignment statement writes."""
    if isinstance(small, cst.Assign):
        targets = [t.target for t in small.targets]
    elif isinstance(small, (cst.AugAssign, cst.AnnAssign)):
        targets = [small.target]
    else:
        return
    stack = list(targets)
    while stack:
        t = stack.pop(0)
        if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == self_name:
            yield t, t.attr.value
        elif isinstance(t, (cst.Tuple, cst.List)):
            stack.extend(el.value for el in t.elements)
        elif isinstance(t, cst.StarredElement):
            stack.append(t.value)
