"""The class of the modules a loop over a module container yields, when the code shows it.

TorchScript unrolls ``for layer in self.layers`` over an ``nn.ModuleList``/``nn.Sequential``
and compiles each element's ``forward`` with the arguments of the call in the loop body, so
a call ``layer(xs)`` checks ``xs`` against every element's signature. This module answers
"which class is every element?" for containers built in ``__init__`` from constructions of one
class of this file, and nothing otherwise:

- ``self.layers = nn.ModuleList([Block(...) for _ in range(n)])`` / ``nn.ModuleList([Block(),
  Block()])`` / ``nn.Sequential(Block(), Block())`` / ``nn.Sequential(*[Block() for ...])``;
- the attribute is assigned exactly once in the class, in ``__init__``;
- the loop is ``for layer in self.layers`` or ``for i, layer in enumerate(self.layers)`` (a
  statement or a comprehension), and ``layer`` is bound by nothing else in the function.

Anything else (a container filled by ``append``, mixed classes, classes of other files,
subclasses re-assigning the attribute elsewhere) is unknown: callers stay silent.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .names import dotted_name
from .syntax import body_nodes, iter_descendants

_CONTAINERS = frozenset({"torch.nn.ModuleList", "torch.nn.Sequential", "torch.nn.modules.container.ModuleList",
                         "torch.nn.modules.container.Sequential"})


def _constructed_class(node: cst.BaseExpression, ctx) -> Optional[str]:
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Name):
        return None
    name = node.func.value
    if name not in ctx.file.class_nodes or ctx.names.resolve(name) is None:
        return None
    if ctx.infer is not None and name in ctx.infer.locals:
        return None
    return name


def _items_class(items, ctx) -> Optional[str]:
    classes = set()
    for item in items:
        if isinstance(item, cst.ListComp):
            classes.add(_constructed_class(item.elt, ctx))
        elif isinstance(item, cst.List):
            if not item.elements or any(isinstance(el, cst.StarredElement) for el in item.elements):
                return None
            classes.update(_constructed_class(el.value, ctx) for el in item.elements)
        else:
            classes.add(_constructed_class(item, ctx))
    if len(classes) != 1 or None in classes:
        return None
    return classes.pop()


def container_element_class(attr: str, ctx) -> Optional[str]:
    """Name of the same-file class every element of ``self.<attr>`` is an instance of."""
    fn = ctx.function
    if fn is None or fn.class_node is None or not isinstance(fn.class_node.body, cst.IndentedBlock):
        return None
    found = []
    for stmt in fn.class_node.body.body:
        if not isinstance(stmt, cst.FunctionDef):
            continue
        for sub in iter_descendants(stmt.body):
            targets = ([t.target for t in sub.targets] if isinstance(sub, cst.Assign)
                       else [sub.target] if isinstance(sub, (cst.AnnAssign, cst.AugAssign)) else [])
            for t in targets:
                for n in ([el.value for el in t.elements] if isinstance(t, (cst.Tuple, cst.List)) else [t]):
                    if (isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and n.value.value == "self"
                            and n.attr.value == attr):
                        found.append((stmt, sub, n is t))
    if len(found) != 1:
        return None
    stmt, assign, single = found[0]
    if stmt.name.value != "__init__" or not single or not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return None
    value = assign.value
    if not isinstance(value, cst.Call) or ctx.names.resolve(dotted_name(value.func)) not in _CONTAINERS:
        return None
    if any(a.keyword is not None for a in value.args) or not value.args:
        return None
    qual = ctx.names.resolve(dotted_name(value.func))
    items = []
    for a in value.args:
        if a.star == "*":
            if not isinstance(a.value, (cst.List, cst.ListComp)):
                return None
            items.append(a.value)
        elif a.star:
            return None
        elif qual.endswith("ModuleList"):
            if len(value.args) != 1 or not isinstance(a.value, (cst.List, cst.ListComp)):
                return None
            items.append(a.value)
        else:
            items.append(a.value)
    return _items_class(items, ctx)


def loop_element_class(name: str, ctx) -> Optional[str]:
    """The same-file class of the module a local ``name`` holds when it is the target of a loop
    over a container of one known class (see the module docstring)."""
    fn = ctx.function
    if fn is None or any(p.name == name for p in fn.params):
        return None
    bindings = []
    for sub in body_nodes(ctx, cst.For, cst.CompFor, cst.Assign, cst.AnnAssign, cst.AugAssign, cst.NamedExpr,
                          cst.AsName):
        if isinstance(sub, (cst.For, cst.CompFor)):
            target, it = sub.target, sub.iter
            element = None
            if isinstance(target, cst.Name):
                element = target
            elif (isinstance(target, cst.Tuple) and len(target.elements) == 2
                  and isinstance(target.elements[1].value, cst.Name) and isinstance(it, cst.Call)
                  and ctx.names.resolve(dotted_name(it.func)) == "builtins.enumerate" and len(it.args) == 1):
                element, it = target.elements[1].value, it.args[0].value
            names = [n.value for n in iter_descendants(target) if isinstance(n, cst.Name)] + (
                [target.value] if isinstance(target, cst.Name) else [])
            if name in names:
                bindings.append((element, it))
        elif isinstance(sub, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.AsName)):
            nodes = ([t.target for t in sub.targets] if isinstance(sub, cst.Assign)
                     else [sub.name] if isinstance(sub, cst.AsName) else [sub.target])
            for t in nodes:
                if any(isinstance(n, cst.Name) and n.value == name for n in (t, *iter_descendants(t))):
                    bindings.append((None, None))
    if len(bindings) != 1 or bindings[0][0] is None or bindings[0][0].value != name:
        return None
    it = bindings[0][1]
    if not (isinstance(it, cst.Attribute) and isinstance(it.value, cst.Name) and it.value.value == "self"):
        return None
    return container_element_class(it.attr.value, ctx)
