"""Can a definition, import or lambda of a function move to module level without changing
what eager Python computes? The checks behind the ``hoist-*`` codemods (codemods/hoist.py) and
the rules offering them (JIT103, JIT104, JIT110, JIT137).

Everything here reads the source's own :mod:`ast` and :mod:`symtable` (no torch, no import of
the user's code). A function is named by its qualified name (``fn``, ``M.forward``). Each
``plan_*`` returns what the rewrite needs or raises :class:`NotHoistable` with the reason.
"""

from __future__ import annotations

import ast
import functools
import symtable
from typing import List, Optional, Sequence, Set, Tuple


class NotHoistable(ValueError):
    """The rewrite could change what the code computes (or the code is not in a shape it reads)."""


def _ast_function(tree: ast.Module, parts: Sequence[str]) -> ast.FunctionDef:
    for node in tree.body:
        if getattr(node, "name", None) != parts[0]:
            continue
        if len(parts) == 1 and isinstance(node, ast.FunctionDef):
            return node
        if len(parts) == 2 and isinstance(node, ast.ClassDef):
            for inner in node.body:
                if isinstance(inner, ast.FunctionDef) and inner.name == parts[1]:
                    return inner
    raise NotHoistable("the function is not a plain def")


def _symtable_function(table: symtable.SymbolTable, parts: Sequence[str], lineno: int) -> symtable.SymbolTable:
    scope = table
    for i, part in enumerate(parts):
        kids = [c for c in scope.get_children() if c.get_name() == part]
        if i == len(parts) - 1:
            kids = [c for c in kids if c.get_type() == "function" and c.get_lineno() == lineno] or kids
        if not kids:
            raise NotHoistable(f"no scope for {'.'.join(parts)}")
        scope = kids[-1] if i < len(parts) - 1 else kids[0]
    return scope


@functools.lru_cache(maxsize=4)
def _module_table(source: str) -> symtable.SymbolTable:
    """The file's symbol table (built once per source text: every plan of a file reads the same
    one, and nothing here changes it)."""
    try:
        return symtable.symtable(source, "<hoist>", "exec")
    except SyntaxError as exc:
        raise NotHoistable(f"the file does not compile: {exc.msg}") from None


def _top_bindings(table: symtable.SymbolTable) -> Set[str]:
    return {s.get_name() for s in table.get_symbols()
            if s.is_assigned() or s.is_imported() or s.is_namespace() or s.is_declared_global()}



def _literal_default(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
        and isinstance(node.operand, ast.Constant) and isinstance(node.operand.value, (int, float))


def _names_in(nodes: Sequence[Optional[ast.AST]]) -> Set[str]:
    out = set()
    for node in nodes:
        if node is None:
            continue
        out |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return out


def _own_statements(fn: ast.FunctionDef) -> list:
    """The outer function's statements, not descending into nested defs/classes/lambdas (listed
    once per function node: the trees are cached per source, and a plan reads them several times)."""
    own = fn.__dict__.get("_jitlint_own_statements")
    if own is None:
        own = fn._jitlint_own_statements = list(_iter_own_statements(fn))
    return own


def _iter_own_statements(fn: ast.FunctionDef):
    stack = list(fn.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                yield child  # the definition itself, not its body
                continue
            stack.append(child)


def plan_nested(source: str, qualname: str, name: str) -> Tuple[str, List[Tuple[str, str]]]:
    """Check that nested ``name`` can move out of ``qualname``: (new name, passed parameters,
    as ``(name, annotation)``)."""
    tree = _parse(source)
    parts = qualname.split(".")
    outer = _ast_function(tree, parts)
    defs = [n for n in outer.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name]
    nested = [n for n in _own_statements(outer) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
              and n.name == name]
    if len(nested) != 1:
        raise NotHoistable(f"`{name}` is not defined exactly once in {qualname}")
    node = nested[0]
    if isinstance(node, ast.AsyncFunctionDef):
        raise NotHoistable("async def")
    del defs
    table = _module_table(source)
    scope = _symtable_function(table, parts, outer.lineno)
    sym = scope.lookup(name)
    if sym.is_global() or sym.is_nonlocal() or sym.is_parameter():
        raise NotHoistable(f"`{name}` is global/nonlocal/a parameter")
    # Only one binding of the name: the definition (an assignment elsewhere is another binding).
    bindings = [n for n in _own_statements(outer)
                if (isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, (ast.Store, ast.Del)))
                or (isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and n.name == name)
                or (isinstance(n, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name.split(".")[0]) == name
                                                                        for a in n.names))]
    if len(bindings) != 1:
        raise NotHoistable(f"`{name}` is bound more than once in {qualname}")
    # Every use in the function is a direct call without * / ** arguments.
    calls = []
    call_funcs = set()
    for n in _own_statements(outer):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name:
            if any(isinstance(a, ast.Starred) for a in n.args) or any(k.arg is None for k in n.keywords):
                raise NotHoistable("a call with * or ** arguments")
            calls.append(n)
            call_funcs.add(id(n.func))
    for n in _own_statements(outer):
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) and id(n) not in call_funcs:
            if isinstance(node, ast.ClassDef):
                continue  # a class may be used as a value (isinstance, annotations): renamed too
            raise NotHoistable(f"`{name}` is used other than by calling it")
    # No other nested scope of the function reads the name (it would be a closure over it).
    kids = [c for c in scope.get_children()]
    for kid in kids:
        if kid.get_name() == name and kid.get_lineno() == node.lineno:
            continue
        if _reads_free(kid, name):
            raise NotHoistable(f"another nested scope reads `{name}`")
    own = next((k for k in kids if k.get_name() == name and k.get_lineno() == node.lineno), None)
    if own is None:
        raise NotHoistable("no scope for the nested definition")
    outside = _names_in([*getattr(node, "decorator_list", []), *(_defaults(node)), *(_annotations(node))])
    if isinstance(node, ast.ClassDef):
        outside |= _names_in(node.bases + [k.value for k in node.keywords])
    for n in outside:
        s = scope.lookup(n) if n in scope.get_identifiers() else None
        if s is not None and s.is_local():
            raise NotHoistable(f"the definition's decorators, defaults or annotations read the local `{n}`")
    if isinstance(node, ast.FunctionDef) and not all(_literal_default(d) for d in _defaults(node)):
        raise NotHoistable("a default that is not a literal (evaluated once at module level)")
    frees = sorted(_frees_deep(own))
    if name in frees:
        raise NotHoistable("the definition refers to itself")
    passed: List[Tuple[str, str]] = []
    params = {a.arg: a for a in outer.args.posonlyargs + outer.args.args + outer.args.kwonlyargs}
    for free in frees:
        if free not in scope.get_identifiers():
            # read from a scope around the function (`__class__` of `super()` in a method)
            raise NotHoistable(f"the definition reads `{free}` from around {qualname}")
        s = scope.lookup(free)
        arg = params.get(free)
        if isinstance(node, ast.ClassDef) or arg is None or not s.is_parameter() or s.is_assigned() \
                or arg.annotation is None:
            raise NotHoistable(f"the definition reads `{free}`, a local of {qualname}")
        passed.append((free, ast.get_source_segment(source, arg.annotation) or ast.unparse(arg.annotation)))
    if passed:
        inner_params = {a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
        if node.args.vararg or node.args.kwarg or node.args.kwonlyargs or node.args.defaults \
                or inner_params & {p for p, _ in passed}:
            raise NotHoistable("cannot add the read parameters to this signature")
    top = _top_bindings(table)
    for new in (f"_{name}", f"_{parts[-1]}_{name}"):
        if new not in top and new not in scope.get_identifiers() and not _used_anywhere(source, new):
            return new, passed
    raise NotHoistable("no free module-level name")


def _defaults(node) -> List[ast.expr]:
    if not isinstance(node, ast.FunctionDef):
        return []
    return [*node.args.defaults, *[d for d in node.args.kw_defaults if d is not None]]


def _annotations(node) -> List[ast.expr]:
    if not isinstance(node, ast.FunctionDef):
        return []
    args = node.args
    anns = [a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs]
    anns += [args.vararg.annotation if args.vararg else None, args.kwarg.annotation if args.kwarg else None,
             node.returns]
    return [a for a in anns if a is not None]


def _frees_deep(scope: symtable.SymbolTable) -> Set[str]:
    """Names ``scope`` (or a scope nested in it) reads from enclosing function scopes."""
    out = set(scope.get_frees()) if scope.get_type() == "function" else set()
    if scope.get_type() == "class":
        # a class body reading a function local: symtable marks it free in the class scope
        out |= {s.get_name() for s in scope.get_symbols() if s.is_free()}
    for kid in scope.get_children():
        inner = _frees_deep(kid)
        out |= {n for n in inner if not (n in scope.get_identifiers() and scope.lookup(n).is_local())}
    return out


def _reads_free(scope: symtable.SymbolTable, name: str) -> bool:
    return name in _frees_deep(scope)


def _used_anywhere(source: str, name: str) -> bool:
    # a name an ASCII text does not contain is no Name/arg of it (identifiers are NFKC-normalised,
    # so only ASCII text is sure): no walk for the usual fresh name
    if source.isascii() and name not in source:
        return False
    return name in _names_used(source)


@functools.lru_cache(maxsize=4)
def _names_used(source: str) -> frozenset:
    """Every ``ast.Name`` id and ``ast.arg`` name of the file (one walk per source text)."""
    return frozenset(n.id if isinstance(n, ast.Name) else n.arg for n in ast.walk(_parse(source))
                     if isinstance(n, (ast.Name, ast.arg)))


@functools.lru_cache(maxsize=4)
def _parse(source: str) -> ast.Module:
    """The file's ast (parsed once per source text; the plans only read it)."""
    try:
        return ast.parse(source)
    except SyntaxError as exc:
        raise NotHoistable(f"the file does not parse: {exc.msg}") from None


def plan_import(source: str, qualname: str, statement: str) -> None:
    """The import ``statement`` (its code) may leave ``qualname``: the names it binds are bound
    nowhere else in the function (no assignment, parameter, ``global``, other import)."""
    parts = qualname.split(".")
    outer = _ast_function(_parse(source), parts)
    try:
        names = [(a.asname or a.name) for a in ast.parse(statement).body[0].names]
    except (SyntaxError, IndexError, AttributeError):
        raise NotHoistable(f"not an import statement: {statement!r}") from None
    for name in names:
        binders = [n for n in _own_statements(outer)
                   if (isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, (ast.Store, ast.Del)))
                   or (isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and n.name == name)
                   or (isinstance(n, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name) == name for a in n.names))
                   or (isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names)
                   or (isinstance(n, ast.arg) and n.arg == name)]
        params = [a for a in outer.args.posonlyargs + outer.args.args + outer.args.kwonlyargs
                  + [outer.args.vararg, outer.args.kwarg] if a is not None and a.arg == name]
        if len(binders) != 1 or params:
            raise NotHoistable(f"{qualname} binds `{name}` elsewhere too")


def plan_lambda_to_def(source: str, qualname: str, name: str) -> None:
    """``name = lambda ...`` is the only binding of ``name`` in ``qualname``."""
    tree = _parse(source)
    parts = qualname.split(".")
    outer = _ast_function(tree, parts)
    assigns = [n for n in _own_statements(outer) if isinstance(n, ast.Name) and n.id == name
               and isinstance(n.ctx, (ast.Store, ast.Del))]
    others = [n for n in _own_statements(outer) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Import,
                                                                   ast.ImportFrom, ast.Global, ast.Nonlocal))
              and (getattr(n, "name", None) == name or name in getattr(n, "names", []))]
    if len(assigns) != 1 or others:
        raise NotHoistable(f"`{name}` is bound more than once in {qualname}")


def plan_lambda_attribute(source: str, qualname: str, attr: str) -> str:
    """``self.<attr> = lambda ...`` (once in ``qualname``) reads no local of the method and has
    no defaults: the module-level name its ``def`` gets."""
    tree = _parse(source)
    parts = qualname.split(".")
    outer = _ast_function(tree, parts)
    lams = [n.value for n in _own_statements(outer) if isinstance(n, ast.Assign) and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Attribute) and n.targets[0].attr == attr
            and isinstance(n.targets[0].value, ast.Name) and n.targets[0].value.id == "self"
            and isinstance(n.value, ast.Lambda)]
    if len(lams) != 1:
        raise NotHoistable(f"not one `self.{attr} = lambda` in {qualname}")
    lam = lams[0]
    if lam.args.defaults or lam.args.kw_defaults and any(d is not None for d in lam.args.kw_defaults):
        raise NotHoistable("a lambda with defaults")
    table = _module_table(source)
    scope = _symtable_function(table, parts, outer.lineno)
    own = [k for k in scope.get_children() if k.get_type() == "function" and k.get_name() == "lambda"
           and k.get_lineno() == lam.lineno]
    if len(own) != 1 or _frees_deep(own[0]):
        raise NotHoistable("the lambda reads locals of the method")
    top = _top_bindings(table)
    new = next((n for n in (f"_{attr}", f"_{parts[0]}_{attr}") if n not in top and not _used_anywhere(source, n)), None)
    if new is None:
        raise NotHoistable("no free module-level name")
    return new


def file_source(fctx) -> str:
    """The file's source text, for the ``plan_*`` checks: the text the module was parsed from
    (libcst round-trips it exactly, so this is ``fctx.module.code`` without generating the whole
    file again; checked equal on every file of the installed torch)."""
    text = fctx.scratch.get("hoisting:source")
    if text is None:
        source = getattr(fctx, "source", None)
        text = fctx.scratch["hoisting:source"] = source if isinstance(source, str) else fctx.module.code
    return text
