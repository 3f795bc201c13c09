"""Module-level names that certainly hold a ``functools.partial`` object.

``gelu_tanh = functools.partial(F.gelu, approximate="tanh")`` at the top of a file, bound
nowhere else in it. TorchScript cannot convert such an object: held in a module attribute it
rejects the module ("failed to convert Python type: 'functools.partial'"); called directly from
compiled code it compiles into a call back into Python, which ``torch.jit.save`` cannot export
(both checked with torch 2.13). Names bound more than once, by an import, a ``def``, a loop or a
``global`` statement are left out (unknown).
"""

from __future__ import annotations

from typing import Dict, Iterator

import libcst as cst

from .names import dotted_name, iter_top_level
from .syntax import iter_descendants

_KEY = "module_partials"
PARTIAL = "functools.partial"


def _bound_names(target: cst.BaseExpression) -> Iterator[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for el in target.elements:
            yield from _bound_names(el.value)
    elif isinstance(target, cst.StarredElement):
        yield from _bound_names(target.value)


def partial_globals(ctx) -> Dict[str, cst.Call]:
    """``{name: the partial(...) call}`` for the file of ``ctx`` (cached per file)."""
    fctx = getattr(ctx, "file", ctx)
    cached = fctx.scratch.get(_KEY)
    if cached is not None:
        return cached
    if "partial" not in fctx.source:  # the usual file: no walk at all
        fctx.scratch[_KEY] = {}
        return fctx.scratch[_KEY]
    counts: Dict[str, int] = {}
    partials: Dict[str, cst.Call] = {}

    def bump(name: str) -> None:
        counts[name] = counts.get(name, 0) + 1

    for stmt, _ in iter_top_level(fctx.module.body):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign):
                    for t in small.targets:
                        for name in _bound_names(t.target):
                            bump(name)
                        if (isinstance(t.target, cst.Name) and len(small.targets) == 1
                                and isinstance(small.value, cst.Call)
                                and fctx.names.resolve(dotted_name(small.value.func) or "") == PARTIAL):
                            partials[t.target.value] = small.value
                elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                    for name in _bound_names(small.target):
                        bump(name)
                        bump(name)  # an annotation or an update: never certain
                elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
                        getattr(small, "names", None), cst.ImportStar):
                    for alias in small.names:
                        bound = alias.asname.name if alias.asname is not None else alias.name
                        head = dotted_name(bound) or ""
                        bump(head.split(".")[0])
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            bump(stmt.name.value)
        elif isinstance(stmt, (cst.For, cst.With)):
            targets = [stmt.target] if isinstance(stmt, cst.For) else [
                i.asname.name for i in stmt.items if i.asname is not None]
            for t in targets:
                for name in _bound_names(t):
                    bump(name)
                    bump(name)
    if not partials:  # no top-level partial(...): the walk below could only drop names
        fctx.scratch[_KEY] = {}
        return fctx.scratch[_KEY]
    for node in iter_descendants(fctx.module):
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            for item in node.names:
                bump(item.name.value)
                bump(item.name.value)
        elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
            bump(node.target.value)
            bump(node.target.value)
    result = {name: call for name, call in partials.items() if counts.get(name) == 1}
    fctx.scratch[_KEY] = result
    return result
