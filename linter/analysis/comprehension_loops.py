"""A comprehension rewritten as the explicit loop that computes the same thing.

``ys = [f(x) for x in xs if c(x)]`` becomes::

    ys: List[T] = []
    for x in xs:
        if c(x):
            ys.append(f(x))

(nested ``for`` clauses become nested loops, a dict comprehension assigns ``d[k] = v``). That is
what the comprehension computes, in the same order, provided that

- the comprehension is the first thing its statement evaluates (the whole value of an
  assignment or ``return``, or the first argument of a call of a plain or imported name), so
  nothing is evaluated before it that used to be evaluated after it;
- a generator expression is consumed whole by ``sum``/``min``/``max``/``sorted``/``list``
  (``any``/``all`` stop early: a list would evaluate every element);
- the loop variables, which now outlive the loop, are used nowhere else in the function, the
  accumulator is a name the comprehension does not read, and a dict comprehension's key or
  value is a plain name or literal (``d[k] = v`` evaluates ``v`` first).

The list's element type is needed by TorchScript (an empty list is a ``List[Tensor]``): the
rewrite is offered only when it is known.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from .statement_edits import statement_replacement
from .syntax import iter_children, iter_descendants
from .typecheck.spelling import Imports, generic, spell_type
from .typecheck.lattice import SINT, SIZE, STR, TENSOR, kind

_CONSUMERS = ("builtins.sum", "builtins.min", "builtins.max", "builtins.sorted", "builtins.list")
_LITERALS = (cst.Integer, cst.Float, cst.SimpleString, cst.Name)
Comprehension = (cst.ListComp, cst.DictComp, cst.GeneratorExp)


def fresh_name(ctx, base: str) -> str:
    """``base`` (or ``base_1``, ...) when no name of the function or the module spells it."""
    fn = ctx.function.node if ctx.function is not None else None
    used = {n.value for n in iter_descendants(fn) if isinstance(n, cst.Name)} if fn is not None else set()
    used |= set(ctx.names.bindings)
    name, i = base, 1
    while name in used:
        name = f"{base}_{i}"
        i += 1
    return name


def _targets(comp: cst.CompFor) -> List[str]:
    out = []
    while comp is not None:
        for n in (comp.target, *iter_descendants(comp.target)):
            if isinstance(n, cst.Name):
                out.append(n.value)
        comp = comp.inner_for_in
    return out


def _simple_target(target: cst.BaseExpression) -> bool:
    if isinstance(target, cst.Name):
        return True
    return isinstance(target, (cst.Tuple, cst.List)) and all(
        isinstance(e, cst.Element) and _simple_target(e.value) for e in target.elements)


def _binds(node: cst.CSTNode, name: str) -> bool:
    """A comprehension or lambda whose own scope binds ``name``."""
    if isinstance(node, cst.Lambda):
        return any(p.name.value == name for p in iter_descendants(node.params) if isinstance(p, cst.Param))
    if isinstance(node, (cst.ListComp, cst.DictComp, cst.GeneratorExp, cst.SetComp)):
        return name in _targets(node.for_in)
    return False


def _used_outside(fn: cst.CSTNode, skip: cst.CSTNode, name: str) -> bool:
    """Does ``name`` occur in ``fn`` outside ``skip`` (scopes that rebind it do not count)?"""
    stack = [fn]
    while stack:
        node = stack.pop()
        if node is skip:
            continue
        if isinstance(node, cst.Name) and node.value == name:
            return True
        if _binds(node, name):
            if isinstance(node, cst.Lambda):
                stack.extend(d for d in iter_descendants(node.params) if isinstance(d, cst.Param) and d.default)
            else:
                stack.append(node.for_in.iter)  # evaluated in the enclosing scope
            continue
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            if any(n.name.value == name for n in node.names):
                return True
        stack.extend(iter_children(node))
    return False


def _element(t, iter_node: cst.BaseExpression, ctx):
    """The type of one item of iterating ``iter_node`` (whose type is ``t``)."""
    if isinstance(iter_node, cst.Call) and not any(a.keyword or a.star for a in iter_node.args):
        func = iter_node.func
        if ctx.resolve(func) == "builtins.enumerate" and len(iter_node.args) == 1:
            inner = iter_node.args[0].value
            return ("tuple", ("int", _element(ctx.type_of(inner), inner, ctx)))
        if isinstance(func, cst.Attribute) and not iter_node.args and kind(ctx.type_of(func.value)) == "dict":
            d = ctx.type_of(func.value)
            return {"keys": d[1], "values": d[2], "items": ("tuple", (d[1], d[2]))}.get(func.attr.value)
    k = kind(t)
    if t == TENSOR:
        return TENSOR
    if t == STR:
        return STR
    if k == SIZE:
        return SINT
    if k == "list":
        return t[1]
    if k == "tuple":
        return t[1][0] if t[1] and all(e == t[1][0] for e in t[1]) else None
    if k == "range":
        return "int"
    if k == "dict":
        return t[1]
    return None


def _bind(target: cst.BaseExpression, t, infer) -> None:
    if isinstance(target, cst.Name):
        infer.bind(target.value, t)
        return
    elems = target.elements
    parts = t[1] if kind(t) == "tuple" and t[1] and len(t[1]) == len(elems) else None
    for i, el in enumerate(elems):
        _bind(el.value, parts[i] if parts else (t[1] if kind(t) == "list" else None), infer)


def _item_types(node, ctx):
    """The element type (list, generator) or (key, value) types (dict) of the comprehension."""
    infer = ctx.infer
    if infer is None:
        return None
    saved, saved_locals = infer.snapshot(), set(infer.locals)
    try:
        comp = node.for_in
        while comp is not None:
            _bind(comp.target, _element(ctx.type_of(comp.iter), comp.iter, ctx), infer)
            comp = comp.inner_for_in
        if isinstance(node, cst.DictComp):
            return ctx.type_of(node.key), ctx.type_of(node.value)
        return ctx.type_of(node.elt)
    finally:
        infer.restore(saved)
        infer.locals = saved_locals


def _evaluated_first(root: cst.BaseExpression, target: cst.CSTNode, ctx) -> bool:
    """Is ``target`` the first thing Python evaluates in ``root`` (and evaluated always)?"""
    node = root
    while node is not target:
        if isinstance(node, (cst.BinaryOperation, cst.Comparison)):
            node = node.left
        elif isinstance(node, cst.UnaryOperation):
            node = node.expression
        elif isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        elif isinstance(node, cst.Call) and node.args and (
                isinstance(node.func, cst.Name) or ctx.resolve(node.func) is not None):
            if node.args[0].star or node.args[0].keyword is not None:
                return False
            node = node.args[0].value  # looking up a plain or imported name has no effect
        else:
            return False
    return True


def _frag(ctx, node: cst.CSTNode) -> str:
    """The code of ``node``, parenthesized when it spans lines (it leaves its brackets)."""
    code = ctx.code_of(node).strip()
    return f"({code})" if "\n" in code else code


def loop_rewrite(node, ctx) -> Optional[Tuple[tuple, Imports]]:
    """``(replacement, imports)`` turning the statement holding comprehension ``node`` into the
    equivalent loop, or None when it is not provably equivalent (see the module doc)."""
    fn = ctx.function
    if fn is None or ctx.nested or node.lpar:
        return None
    if isinstance(node, cst.GeneratorExp):
        call = ctx.parents[-2] if len(ctx.parents) >= 2 else None  # GeneratorExp <- Arg <- Call
        if not (isinstance(call, cst.Call) and len(call.args) == 1 and call.args[0].value is node
                and call.args[0].keyword is None and not call.args[0].star
                and ctx.resolve(call.func) in _CONSUMERS):
            return None
    comp = node.for_in
    c = comp
    while c is not None:
        if c.asynchronous is not None or not _simple_target(c.target):
            return None
        c = c.inner_for_in
    if any(isinstance(n, (cst.Yield, cst.Await, cst.Lambda)) for n in iter_descendants(node)):
        return None
    stmt = small = None
    for p in reversed(ctx.parents):
        if isinstance(p, cst.SimpleStatementLine):
            stmt = p
            break
        if isinstance(p, cst.BaseSmallStatement):
            small = p
        elif isinstance(p, cst.BaseCompoundStatement):
            return None
    if stmt is None or len(stmt.body) != 1 or stmt.body[0] is not small:
        return None
    if isinstance(small, cst.Return) and small.value is not None:
        root, reuse, given = small.value, None, None
    elif isinstance(small, cst.Assign) and len(small.targets) == 1:
        root, reuse, given = small.value, small.targets[0].target, None
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        root, reuse, given = small.value, small.target, small.annotation.annotation
    else:
        return None
    if not _evaluated_first(root, node, ctx):
        return None
    for name in _targets(comp):
        if _used_outside(fn.node, node, name):
            return None
    inner_names = {n.value for n in iter_descendants(node) if isinstance(n, cst.Name)}
    is_dict = isinstance(node, cst.DictComp)
    if is_dict and not (isinstance(node.key, _LITERALS) or isinstance(node.value, _LITERALS)):
        return None
    whole = root is node and isinstance(reuse, cst.Name) and reuse.value not in inner_names \
        and not _used_global(fn.node, reuse.value)
    if given is not None and not whole:
        return None
    acc = reuse.value if whole else fresh_name(ctx, "kept" if isinstance(node, cst.GeneratorExp) else "out")
    imports: Imports = []
    if given is not None:
        ann = ctx.code_of(given).strip()
    else:
        types = _item_types(node, ctx)
        if is_dict:
            key, value = (spell_type(t, ctx, imports) for t in types)
            ann = generic("Dict", ctx, [key, value], imports) if key and value else None
        else:
            elem = spell_type(types, ctx, imports)
            ann = generic("List", ctx, [elem], imports) if elem else None
        if ann is None or "\n" in ann:
            return None
    indent = ctx.file.module.default_indent
    lines = [f"{acc}: {ann} = {{}}" if is_dict else f"{acc}: {ann} = []"]
    depth = 0
    c = comp
    while c is not None:
        lines.append(indent * depth + f"for {_frag(ctx, c.target)} in {_frag(ctx, c.iter)}:")
        depth += 1
        for cond in c.ifs:
            lines.append(indent * depth + f"if {_frag(ctx, cond.test)}:")
            depth += 1
        c = c.inner_for_in
    if is_dict:
        lines.append(indent * depth + f"{acc}[{_frag(ctx, node.key)}] = {_frag(ctx, node.value)}")
    else:
        lines.append(indent * depth + f"{acc}.append({ctx.code_of(node.elt).strip()})")
    if not whole:
        rest = stmt.deep_replace(node, cst.Name(acc))
        lines.append(cst.Module(body=[rest.with_changes(leading_lines=[], trailing_whitespace=cst.TrailingWhitespace())]).code.rstrip("\r\n"))
    try:
        new = list(cst.parse_module("\n".join(lines) + "\n").body)
    except cst.ParserSyntaxError:
        return None
    edit = statement_replacement(ctx, stmt, new)
    if edit is None:
        return None
    return edit, imports


def _used_global(fn: cst.CSTNode, name: str) -> bool:
    return any(isinstance(n, (cst.Global, cst.Nonlocal)) and any(a.name.value == name for a in n.names)
               for n in iter_descendants(fn))
