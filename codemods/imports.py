"""Adding the imports that fixed code needs, merged with the file's own imports.

A rule's fix writes new text (``Optional[torch.Tensor]``, ``List[int]``) and declares the
names that text needs as ``Fix.imports``: ``("typing", "Optional")`` for
``from typing import Optional``, ``("torch", None)`` for ``import torch``. After a pass has
applied its text edits, the fix loop hands the union of those to :func:`add_imports`.

Why libcst's ``AddImportsVisitor`` and not text edits of our own: it already knows the cases
that hand-written import merging gets wrong. It adds a name to an existing top-level
``from typing import ...`` (parenthesised, multi-line, with comments) instead of writing a
second line, skips what the import block at the top already imports (a star import too),
places new imports after the module docstring, ``from __future__`` imports and leading
comments (a shebang, an encoding cookie), and renders new lines with the module's own newline
(CRLF stays CRLF). The text is handed over as ``str`` and comes back as ``str``: the encoding,
BOM and file mode are the business of ``writes.py``, and nothing else of the file changes.

What it does on top: a name the module already binds anywhere at module level (an import
after other statements, or in ``try:``/``if`` blocks, ``from typing import Optional as
Optional``, ``import torch.nn`` for ``torch``, a module-level ``class Optional``) is never
imported again, so adding an import can neither duplicate nor shadow a binding. Imports
guarded by ``if TYPE_CHECKING:`` do not count: they bind nothing when the code runs. A rule
must still check that the name it writes is free (or bound to the right thing) before
declaring the import; this module only refuses to re-bind.

It is usable alone: ``add_imports(source, [("typing", "Optional")])``. Text that does not
parse is returned unchanged (the fix loop then sees the broken pass and rolls it back).
"""

from __future__ import annotations

from typing import Iterable, Optional, Set, Tuple

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

Import = Tuple[str, Optional[str]]

_TYPE_CHECKING = ("TYPE_CHECKING", "typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING")


def add_imports(source: str, imports: Iterable[Import]) -> str:
    """``source`` with each ``(module, name)`` import (``name`` None: ``import module``) added
    unless the module already binds the name it would bind; ``source`` itself when nothing is
    missing (or it does not parse)."""
    wanted = list(dict.fromkeys((module, name) for module, name in imports))
    if not wanted:
        return source
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return source
    bound = module_bindings(module)
    context = CodemodContext()
    missing = False
    for mod, name in wanted:
        binds = name if name is not None else mod.split(".", 1)[0]
        if binds in bound or (name is not None and mod in bound.stars):
            continue
        AddImportsVisitor.add_needed_import(context, mod, name)
        missing = True
    if not missing:
        return source
    return AddImportsVisitor(context).transform_module(module).code


class _Bindings(set):
    """Names bound at module level, and the modules star-imported (``from m import *``)."""

    def __init__(self) -> None:
        super().__init__()
        self.stars: Set[str] = set()


def module_bindings(module: cst.Module) -> _Bindings:
    """The names a module binds at module level: imports, ``def``/``class`` names and
    assignment targets, through ``if``/``try``/``with``/``for``/``while`` blocks (not inside
    functions or classes, and not under ``if TYPE_CHECKING:``)."""
    out = _Bindings()
    _collect(module.body, module, out)
    return out


def _collect(statements, module: cst.Module, out: _Bindings) -> None:
    for stmt in statements:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                _small(small, out)
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            out.add(stmt.name.value)
        elif isinstance(stmt, cst.If):
            if module.code_for_node(stmt.test).replace(" ", "") not in _TYPE_CHECKING:
                _collect(stmt.body.body, module, out)
            if stmt.orelse is not None:
                orelse = stmt.orelse
                _collect([orelse] if isinstance(orelse, cst.If) else orelse.body.body, module, out)
        else:
            for suite in _suites(stmt):
                _collect(suite.body, module, out)


def _suites(stmt: cst.BaseCompoundStatement):
    body = getattr(stmt, "body", None)
    if isinstance(body, cst.BaseSuite):
        yield body
    for handler in getattr(stmt, "handlers", ()) or ():
        yield handler.body
    for name in ("orelse", "finalbody"):
        part = getattr(stmt, name, None)
        if part is not None and isinstance(getattr(part, "body", None), cst.BaseSuite):
            yield part.body


def _small(small: cst.BaseSmallStatement, out: _Bindings) -> None:
    if isinstance(small, cst.Import):
        for alias in small.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                out.add(alias.asname.name.value)
            else:
                out.add(_dotted(alias.name).split(".", 1)[0])
    elif isinstance(small, cst.ImportFrom):
        if isinstance(small.names, cst.ImportStar):
            if small.module is not None and not small.relative:
                out.stars.add(_dotted(small.module))
            return
        for alias in small.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                out.add(alias.asname.name.value)
            else:
                out.add(_dotted(alias.name))
    elif isinstance(small, cst.Assign):
        for target in small.targets:
            _targets(target.target, out)
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        _targets(small.target, out)


def _targets(node: cst.BaseExpression, out: _Bindings) -> None:
    if isinstance(node, cst.Name):
        out.add(node.value)
    elif isinstance(node, (cst.Tuple, cst.List)):
        for el in node.elements:
            _targets(el.value, out)
    elif isinstance(node, cst.StarredElement):
        _targets(node.value, out)


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""
