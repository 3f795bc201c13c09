"""Moving code that ``torch.jit.script`` rejects inside a function to module level.

- :func:`hoist_import`: an ``import``/``from ... import`` statement of a function (JIT110) is
  removed there and written once at module level, after the module's leading imports.
- :func:`hoist_nested`: a ``def``/``class`` nested in a function (JIT104) becomes a module-level
  definition placed before the top-level statement holding the function; the function's calls
  to it are renamed. Parameters of the enclosing function the nested ``def`` reads (never
  reassigned, annotated) become trailing parameters of the module-level ``def`` and are passed
  at each call.
- :func:`lambda_to_def`: ``f = lambda a: expr`` in a function (JIT103) becomes
  ``def f(a):\\n    return expr`` (then :func:`hoist_nested` can move it out).
- :func:`hoist_lambda_attribute`: ``self.act = lambda t: expr`` in a method (JIT137) becomes
  ``self.act = _act`` with a module-level ``def _act(t): return expr``.

A function is named by its qualified name (``fn``, ``M.forward``: a top-level function or a
method of a top-level class). Every codemod re-checks (``linter/analysis/hoisting.py``, with the source's own
symbol tables) that the rewrite computes the same thing in eager Python: the moved code reads
no local of the function (other than the passed parameters), the name it binds is used only in
the ways rewritten, and the module-level name is free. Otherwise it raises
:class:`CodemodFailed` and nothing changes.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Set, Tuple

import libcst as cst

from ..linter.api import (NotHoistable, plan_import, plan_lambda_attribute, plan_lambda_to_def,
                          plan_nested)
from .registry import CodemodFailed


def _call(plan, *args):
    try:
        return plan(*args)
    except NotHoistable as exc:
        raise CodemodFailed(str(exc)) from None


def _parse(source: str) -> cst.Module:
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise CodemodFailed(f"the file does not parse: {exc.message}") from None


def _find(module: cst.Module, qualname: str) -> Tuple[int, List[str]]:
    """(index in the module body of the top-level statement holding ``qualname``, path)."""
    parts = qualname.split(".")
    for i, stmt in enumerate(module.body):
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) and stmt.name.value == parts[0]:
            if len(parts) == 1 and isinstance(stmt, cst.FunctionDef):
                return i, parts
            if len(parts) == 2 and isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
                for inner in stmt.body.body:
                    if isinstance(inner, cst.FunctionDef) and inner.name.value == parts[1]:
                        return i, parts
    raise CodemodFailed(f"no function {qualname!r} at module level")


def _function_node(stmt: cst.CSTNode, parts: Sequence[str]) -> cst.FunctionDef:
    if len(parts) == 1:
        return stmt
    return next(s for s in stmt.body.body if isinstance(s, cst.FunctionDef) and s.name.value == parts[1])


def _replace_body(module: cst.Module, index: int, parts: Sequence[str], new_fn: cst.FunctionDef) -> cst.Module:
    stmt = module.body[index]
    if len(parts) == 1:
        new_stmt = new_fn
    else:
        body = [new_fn if (isinstance(s, cst.FunctionDef) and s.name.value == parts[1]) else s for s in stmt.body.body]
        new_stmt = stmt.with_changes(body=stmt.body.with_changes(body=body))
    return module.with_changes(body=[*module.body[:index], new_stmt, *module.body[index + 1:]])


def _empty_to_pass(block: cst.BaseSuite) -> cst.BaseSuite:
    if isinstance(block, cst.IndentedBlock) and not block.body:
        return block.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
    return block


class _FillEmpty(cst.CSTTransformer):
    """Blocks left empty by a removal get ``pass``."""

    def leave_IndentedBlock(self, original, updated):
        return _empty_to_pass(updated)


def _strip_blank_start(fn: cst.FunctionDef) -> cst.FunctionDef:
    """No blank line left at the top of a body whose first statement was removed."""
    body = fn.body
    if isinstance(body, cst.IndentedBlock) and body.body:
        first = body.body[0]
        if first.leading_lines and all(line.comment is None for line in first.leading_lines):
            first = first.with_changes(leading_lines=[])
            return fn.with_changes(body=body.with_changes(body=[first, *body.body[1:]]))
    return fn


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


# -- imports -------------------------------------------------------------------------------


class _RemoveImport(cst.CSTTransformer):
    def __init__(self, statement: str):
        self.statement = statement
        self.removed: Optional[cst.BaseSmallStatement] = None
        self.comments: List[cst.EmptyLine] = []
        self.depth = 0

    def visit_FunctionDef(self, node):
        self.depth += 1
        return self.depth == 1  # the function's own statements, not nested defs'

    def leave_FunctionDef(self, original, updated):
        self.depth -= 1
        return updated

    def visit_ClassDef(self, node):
        return False

    def leave_SimpleStatementLine(self, original, updated):
        if self.removed is not None:
            return updated
        keep = []
        for small in updated.body:
            if (self.removed is None and isinstance(small, (cst.Import, cst.ImportFrom))
                    and _code(small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)).strip() == self.statement):
                self.removed = small
                continue
            keep.append(small)
        if self.removed is None:
            return updated
        if not keep:
            # comments above the import (why it is there) move with it
            self.comments = [line for line in original.leading_lines if line.comment is not None]
            return cst.RemoveFromParent()
        keep[-1] = keep[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(body=keep)


def _import_insert_index(module: cst.Module) -> int:
    """After the module docstring, ``from __future__`` and the leading run of plain imports."""
    index = 0
    body = module.body
    if body and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1 \
            and isinstance(body[0].body[0], cst.Expr) and isinstance(body[0].body[0].value, cst.SimpleString):
        index = 1
    while index < len(body) and isinstance(body[index], cst.SimpleStatementLine) \
            and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in body[index].body):
        index += 1
    return index


def hoist_import(source: str, qualname: str, statement: str) -> str:
    """Remove the import ``statement`` (its code, e.g. ``import math``) from ``qualname``'s own
    body and write it at module level (unless the module already has it there)."""
    module = _parse(source)
    index, parts = _find(module, qualname)
    _call(plan_import, source, qualname, statement)
    fn = _function_node(module.body[index], parts)
    remover = _RemoveImport(statement)
    new_fn = fn.visit(remover)
    if remover.removed is None:
        raise CodemodFailed(f"no `{statement}` in {qualname}")
    new_fn = _strip_blank_start(new_fn.visit(_FillEmpty()))
    module = _replace_body(module, index, parts, new_fn)
    top = {_code(small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)).strip()
           for line in module.body[:_import_insert_index(module)] for small in line.body}
    if statement not in top:
        at = _import_insert_index(module)
        line = cst.SimpleStatementLine([remover.removed.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)],
                                       leading_lines=remover.comments)
        module = module.with_changes(body=[*module.body[:at], line, *module.body[at:]])
    return module.code


# -- nested definitions --------------------------------------------------------------------


class _Rename(cst.CSTTransformer):
    """In the outer function's own code: remove the nested definition, rename its uses and add
    the passed parameters to its calls."""

    def __init__(self, name: str, new: str, passed: Sequence[str]):
        self.name, self.new, self.passed = name, new, list(passed)
        self.depth = 0
        self.removed: Optional[cst.CSTNode] = None
        self.keep: Set[int] = set()

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.keep.add(id(node.name))
        return self.depth == 1

    def leave_FunctionDef(self, original, updated):
        self.depth -= 1
        if self.depth == 1 and original.name.value == self.name and self.removed is None:
            self.removed = original
            return cst.RemoveFromParent()
        return updated

    def visit_ClassDef(self, node):
        if self.depth == 1 and node.name.value == self.name and self.removed is None:
            self.removed = node
        return False

    def leave_ClassDef(self, original, updated):
        if original is self.removed:
            return cst.RemoveFromParent()
        return updated

    def visit_Lambda(self, node):
        return False

    def leave_Call(self, original, updated):
        if isinstance(original.func, cst.Name) and original.func.value == self.name and self.passed:
            args = list(updated.args)
            keyword = any(a.keyword is not None for a in args)
            if args:
                args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            extra = [cst.Arg(cst.Name(p), keyword=cst.Name(p) if keyword else None,
                             equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
                             if keyword else cst.MaybeSentinel.DEFAULT) for p in self.passed]
            for i in range(len(extra) - 1):
                extra[i] = extra[i].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            return updated.with_changes(args=[*args, *extra])
        return updated

    def visit_Attribute(self, node):
        self.keep.add(id(node.attr))

    def visit_Arg(self, node):
        if node.keyword is not None:
            self.keep.add(id(node.keyword))

    def leave_Name(self, original, updated):
        if original.value == self.name and id(original) not in self.keep:
            return updated.with_changes(value=self.new)
        return updated


def _dedent_definition(node: cst.CSTNode, new: str, passed: Sequence[Tuple[str, str]]) -> cst.CSTNode:
    node = node.with_changes(name=cst.Name(new), leading_lines=[])
    if passed and isinstance(node, cst.FunctionDef):
        params = list(node.params.params)
        if params:
            params[-1] = params[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        extra = [cst.Param(cst.Name(p), annotation=cst.Annotation(cst.parse_expression(ann)))
                 for p, ann in passed]
        for i in range(len(extra) - 1):
            extra[i] = extra[i].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        node = node.with_changes(params=node.params.with_changes(params=[*params, *extra]))
    return node


def hoist_nested(source: str, qualname: str, name: str) -> str:
    """Move the ``def``/``class`` ``name`` nested in ``qualname`` to module level (see module doc)."""
    new, passed = _call(plan_nested, source, qualname, name)
    module = _parse(source)
    index, parts = _find(module, qualname)
    fn = _function_node(module.body[index], parts)
    renamer = _Rename(name, new, [p for p, _ in passed])
    new_fn = fn.visit(renamer)
    if renamer.removed is None:
        raise CodemodFailed(f"`{name}` not found in {qualname}")
    new_fn = _strip_blank_start(new_fn.visit(_FillEmpty()))
    definition = _dedent_definition(renamer.removed, new, passed)
    # the hoisted body must not refer to itself by the old name (checked: no self-reference)
    module = _replace_body(module, index, parts, new_fn)
    holder = module.body[index]
    definition = definition.with_changes(leading_lines=list(holder.leading_lines))
    spacer = [cst.EmptyLine(), cst.EmptyLine()]
    holder = holder.with_changes(leading_lines=spacer)
    body = [*module.body[:index], definition, holder, *module.body[index + 1:]]
    return module.with_changes(body=body).code


# -- lambdas -------------------------------------------------------------------------------


def _lambda_def(name: str, lam: cst.Lambda) -> cst.FunctionDef:
    return cst.FunctionDef(name=cst.Name(name), params=lam.params,
                           body=cst.IndentedBlock([cst.SimpleStatementLine([cst.Return(lam.body)])]))


class _LambdaToDef(cst.CSTTransformer):
    def __init__(self, name: str):
        self.name = name
        self.depth = 0
        self.done = False

    def visit_FunctionDef(self, node):
        self.depth += 1
        return self.depth == 1

    def leave_FunctionDef(self, original, updated):
        self.depth -= 1
        return updated

    def visit_ClassDef(self, node):
        return False

    def leave_SimpleStatementLine(self, original, updated):
        if self.done or len(updated.body) != 1:
            return updated
        stmt = updated.body[0]
        if not (isinstance(stmt, cst.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0].target, cst.Name)
                and stmt.targets[0].target.value == self.name and isinstance(stmt.value, cst.Lambda)):
            return updated
        self.done = True
        fn = _lambda_def(self.name, stmt.value)
        return fn.with_changes(leading_lines=updated.leading_lines)


def lambda_to_def(source: str, qualname: str, name: str) -> str:
    """``name = lambda ...: expr`` in ``qualname``'s own body -> a nested ``def name``."""
    _call(plan_lambda_to_def, source, qualname, name)
    module = _parse(source)
    index, parts = _find(module, qualname)
    fn = _function_node(module.body[index], parts)
    change = _LambdaToDef(name)
    new_fn = fn.visit(change)
    if not change.done:
        raise CodemodFailed(f"no `{name} = lambda ...` statement in {qualname}")
    return _replace_body(module, index, parts, new_fn).code


class _LambdaAttribute(cst.CSTTransformer):
    def __init__(self, attr: str, new: str):
        self.attr, self.new = attr, new
        self.depth = 0
        self.lam: Optional[cst.Lambda] = None

    def visit_FunctionDef(self, node):
        self.depth += 1
        return self.depth == 1

    def leave_FunctionDef(self, original, updated):
        self.depth -= 1
        return updated

    def leave_Assign(self, original, updated):
        if self.lam is None and len(updated.targets) == 1 and isinstance(updated.value, cst.Lambda):
            t = updated.targets[0].target
            if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == "self" \
                    and t.attr.value == self.attr:
                self.lam = updated.value
                return updated.with_changes(value=cst.Name(self.new))
        return updated


def hoist_lambda_attribute(source: str, qualname: str, attr: str) -> str:
    """``self.<attr> = lambda ...: expr`` in method ``qualname`` -> a module-level ``def`` the
    attribute is bound to. The lambda must read no local of the method (not even ``self``)."""
    new = _call(plan_lambda_attribute, source, qualname, attr)
    module = _parse(source)
    index, parts = _find(module, qualname)
    fn = _function_node(module.body[index], parts)
    change = _LambdaAttribute(attr, new)
    new_fn = fn.visit(change)
    if change.lam is None:
        raise CodemodFailed("the assignment was not found")
    module = _replace_body(module, index, parts, new_fn)
    holder = module.body[index]
    definition = _lambda_def(new, change.lam).with_changes(leading_lines=list(holder.leading_lines))
    holder = holder.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    return module.with_changes(body=[*module.body[:index], definition, holder, *module.body[index + 1:]]).code
