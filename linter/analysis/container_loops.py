"""``for i in range(len(C)): ... C[i] ...`` rewritten to iterate the container itself.

TorchScript can index a module container only with a literal, but it unrolls a loop over the
container. ``for i in range(len(self.layers))`` whose body uses ``i`` only to pick
``self.layers[i]`` becomes ``for layer in self.layers`` (``for i, layer in
enumerate(self.layers)`` when ``i`` is used otherwise too), each ``self.layers[i]`` becoming
``layer``.

Both visit the same items in the same order as long as the body does not rebind ``i`` or the
container and adds or removes no item of it while the loop runs (``range(len(C))`` is fixed
when the loop starts; iterating an ``nn.ModuleList`` that grows raises). :func:`loop_rewrite`
says whether the body can be seen not to touch the container: every use of the container's
root name (``self``) is then a ``C[i]`` of the rewrite or a plain attribute read.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from .comprehension_loops import fresh_name
from .statement_edits import statement_replacement
from .syntax import iter_children, iter_descendants
from .typecheck.lattice import kind


def _root(node: cst.BaseExpression) -> Optional[str]:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _stores(body: cst.CSTNode, name: str) -> bool:
    """Is ``name`` bound anywhere in ``body`` (assignment, loop, ``with ... as``, walrus, del)?"""
    for n in iter_descendants(body):
        targets: List[cst.CSTNode] = []
        if isinstance(n, cst.Assign):
            targets = [t.target for t in n.targets]
        elif isinstance(n, (cst.AugAssign, cst.AnnAssign)):
            targets = [n.target]
        elif isinstance(n, (cst.For, cst.CompFor)):
            targets = [n.target]
        elif isinstance(n, cst.AsName):
            targets = [n.name]
        elif isinstance(n, cst.NamedExpr):
            targets = [n.target]
        elif isinstance(n, cst.Del):
            targets = [n.target]
        elif isinstance(n, (cst.FunctionDef, cst.ClassDef)) and n.name.value == name:
            return True
        for t in targets:
            if any(isinstance(x, cst.Name) and x.value == name for x in (t, *iter_descendants(t))):
                return True
    return False


def _element_name(container: cst.BaseExpression, ctx) -> str:
    attr = container.attr.value if isinstance(container, cst.Attribute) else getattr(container, "value", "")
    attr = attr.lstrip("_")
    if len(attr) > 3 and attr.endswith("s") and not attr.endswith("ss"):
        base = attr[:-1]
    else:
        base = "module"
    return fresh_name(ctx, base)


class _Replace(cst.CSTTransformer):
    def __init__(self, targets, name: str):
        self.targets = targets
        self.name = name

    def leave_Subscript(self, original, updated):
        if any(original is t for t in self.targets):
            return cst.Name(self.name)
        return updated


def loop_rewrite(loop: cst.For, container: cst.BaseExpression, ctx) -> Optional[Tuple[tuple, bool]]:
    """``(replacement, safe)`` rewriting ``loop`` (``for i in range(len(container))``) to iterate
    ``container``, or None when the loop has another shape or uses ``i`` in a way the rewrite
    cannot keep. ``safe`` is False when the body may touch the container (see the module doc)."""
    if not isinstance(loop.target, cst.Name) or loop.asynchronous is not None:
        return None
    it = loop.iter
    if not (isinstance(it, cst.Call) and isinstance(it.func, cst.Name) and len(it.args) == 1
            and ctx.resolve(it.func) == "builtins.range"):
        return None
    arg = it.args[0]
    inner = arg.value
    if arg.keyword or arg.star or not (isinstance(inner, cst.Call) and isinstance(inner.func, cst.Name)
                                       and len(inner.args) == 1 and ctx.resolve(inner.func) == "builtins.len"):
        return None
    code = ctx.code_of(container)
    if inner.args[0].keyword or inner.args[0].star or ctx.code_of(inner.args[0].value) != code:
        return None
    root = _root(container)
    index = loop.target.value
    if root is None or _stores(loop.body, index) or _stores(loop.body, root):
        return None
    picks, other_index, touches = [], False, False
    stack: List[Tuple[cst.CSTNode, Optional[cst.CSTNode]]] = [(loop.body, None)]
    while stack:
        node, parent = stack.pop()
        if (isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index)
                and isinstance(node.slice[0].slice.value, cst.Name) and node.slice[0].slice.value.value == index
                and ctx.code_of(node.value) == code):
            picks.append(node)
            continue
        if isinstance(node, cst.Name):
            if node.value == index:
                other_index = True
            elif node.value == root:
                # `self.attr` read as a value (not called, not the container itself) cannot add a module
                if not (isinstance(parent, cst.Attribute) and ctx.code_of(parent) != code):
                    touches = True
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and _root(node.func) == root \
                and kind(ctx.type_of(node.func)) != "module":
            touches = True  # a method of `self` (not a submodule's forward) may change the container
        for child in iter_children(node):
            stack.append((child, node))
    if not picks or (other_index and "enumerate" in ctx.names.bindings):
        return None
    if _used_after(loop, index, ctx):
        other_index = True
    name = _element_name(container, ctx)
    body = loop.body.visit(_Replace(picks, name))
    if other_index:
        target = cst.Tuple([cst.Element(cst.Name(index)), cst.Element(cst.Name(name))], lpar=[], rpar=[])
        new_iter = cst.parse_expression(f"enumerate({code})")
    else:
        target = cst.Name(name)
        new_iter = container
    new = loop.with_changes(target=target, iter=new_iter, body=body)
    edit = statement_replacement(ctx, loop, [new])
    if edit is None:
        return None
    return edit, not touches


def _used_after(loop: cst.For, name: str, ctx) -> bool:
    """Does ``name`` occur in the function outside ``loop``'s body (after the loop, say)?"""
    fn = ctx.function.node
    stack = [fn]
    while stack:
        node = stack.pop()
        if node is loop:
            continue
        if isinstance(node, cst.Name) and node.value == name:
            return True
        stack.extend(iter_children(node))
    return False
