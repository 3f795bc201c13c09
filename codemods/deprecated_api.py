"""Codemods for the legacy TorchScript API (JIT4xx): libcst rewrites, each usable alone.

- :func:`script_module_to_module`: a ``torch.jit.ScriptModule`` subclass with
  ``@torch.jit.script_method`` methods becomes an ``nn.Module`` (spelled with the file's imports);
  ``forward`` loses the decorator, other compiled methods get ``@torch.jit.export`` (so that
  ``torch.jit.script(M())`` keeps them), ``torch.jit.Attribute`` becomes a class annotation,
  ``__constants__`` becomes ``Final`` annotations when asked (or when it can, by default), and
  ``x = torch.jit.annotate(T, v)`` statements of its methods become ``x: T = v``.
- :func:`constants_to_final`: ``__constants__ = ["a"]`` -> ``a: Final[int]`` class annotations.
- :func:`attribute_to_annotation`: ``self.x = torch.jit.Attribute(v, T)`` -> ``x: T`` + ``self.x = v``.
- :func:`annotate_to_pep526`: ``x = torch.jit.annotate(T, v)`` -> ``x: T = v``.

A class is named by its dotted path of enclosing ``def``/``class`` names (``M``, ``build.M``,
``Outer.method.M``). Each codemod raises :class:`CodemodFailed` when the code is not in a shape
it rewrites safely, and returns the source unchanged when there is nothing left to rewrite
(so that applying one twice is the same as applying it once). Names the new code needs and the
file lacks (``Final``, ``torch``) are added with :func:`codemods.imports.add_imports` (the fix
loop's import merge); rules declare the same imports on their fixes, so in the fix loop they are
already there when the codemod runs.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst
import libcst.matchers as m
from libcst.metadata import MetadataWrapper, PositionProvider

from .registry import CodemodFailed

_SCRIPT_MODULE = frozenset({"torch.jit.ScriptModule", "torch.jit._script.ScriptModule"})
_SCRIPT_METHOD = frozenset({"torch.jit.script_method", "torch.jit._script.script_method"})
_ATTRIBUTE = frozenset({"torch.jit.Attribute", "torch.jit._script.Attribute"})
_ANNOTATE = frozenset({"torch.jit.annotate", "torch._jit_internal.annotate", "torch.jit._script.annotate"})
_FINAL = frozenset({"typing.Final", "typing_extensions.Final", "torch.jit.Final"})
# What a ScriptModule instance has and an nn.Module has not: a class using one on ``self`` is
# not rewritten (the eager module would lose it).
_SCRIPT_MODULE_API = frozenset({
    "define", "graph", "inlined_graph", "code", "code_with_constants", "save", "save_to_buffer",
    "_save_for_lite_interpreter", "_save_to_buffer_for_lite_interpreter", "_c", "original_name",
    "_methods", "_method_names", "_concrete_type", "_actual_script_module", "_initializing",
})
_LITERAL_ANNOTATIONS = ("int", "float", "bool", "str")

Imports = List[Tuple[str, Optional[str]]]


# -- reading the file ----------------------------------------------------------------------


def _parse(source: str) -> cst.Module:
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise CodemodFailed(f"the file does not parse: {exc.message}") from None


def _dotted(node: cst.CSTNode) -> Optional[str]:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr.value}" if head else None
    return None


class _Names:
    """Module-level import bindings (``nn`` -> ``torch.nn``), and how to spell a name with them."""

    def __init__(self, module: cst.Module):
        self.bindings: Dict[str, str] = {}
        # bound name -> (module, object, asname) of a ``from module import object`` binding
        self.from_imports: Dict[str, Tuple[str, str, Optional[str]]] = {}
        for stmt in module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        full = _dotted(alias.name) or ""
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            self.bindings[alias.asname.name.value] = full
                        else:
                            head = full.split(".")[0]
                            self.bindings[head] = head
                elif (isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None
                      and not isinstance(small.names, cst.ImportStar)):
                    mod = _dotted(small.module) or ""
                    for alias in small.names:
                        if not isinstance(alias.name, cst.Name):
                            continue
                        asname = (alias.asname.name.value if alias.asname is not None
                                  and isinstance(alias.asname.name, cst.Name) else None)
                        bound = asname or alias.name.value
                        self.bindings[bound] = f"{mod}.{alias.name.value}"
                        self.from_imports[bound] = (mod, alias.name.value, asname)

    def resolve(self, node: cst.CSTNode) -> Optional[str]:
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        target = self.bindings.get(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def spell(self, qual: str) -> Optional[str]:
        """The file's spelling of ``qual`` (the most specific import wins), or None."""
        best: Optional[Tuple[int, str]] = None
        for name, target in sorted(self.bindings.items()):
            if qual == target:
                spelling = name
            elif qual.startswith(target + "."):
                spelling = name + qual[len(target):]
            else:
                continue
            if best is None or len(target) > best[0]:
                best = (len(target), spelling)
        return best[1] if best else None


def _spell_or_import(names: _Names, qual: str, imports: Imports) -> str:
    """How to write ``torch.X``/``typing.Final``; records the import the file lacks."""
    if qual == "typing.Final":
        spelling = names.spell(qual) or next(
            (name for name, target in sorted(names.bindings.items()) if target in _FINAL), None)
        if spelling is None:
            imports.append(("typing", "Final"))
            return "Final"
        return spelling
    spelling = names.spell(qual)
    if spelling is None:
        if not qual.startswith("torch."):
            raise CodemodFailed(f"the file has no import to spell `{qual}`")
        imports.append(("torch", None))
        return qual
    return spelling


def _with_imports(code: str, imports: Imports) -> str:
    if not imports:
        return code
    wanted = sorted(set(imports), key=lambda i: (i[0], i[1] or ""))
    try:
        from .imports import add_imports
    except ImportError:  # pragma: no cover - imports.py is the fix loop's; this is a fallback
        from libcst.codemod import CodemodContext
        from libcst.codemod.visitors import AddImportsVisitor

        context = CodemodContext()
        for module, obj in wanted:
            AddImportsVisitor.add_needed_import(context, module, obj)
        return AddImportsVisitor(context).transform_module(cst.parse_module(code)).code
    return add_imports(code, wanted)


def _remove_unused(code: str, names: _Names, bound: Set[str]) -> str:
    """Drop ``from torch.jit import ScriptModule``-style imports the rewrite left unused."""
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import RemoveImportsVisitor

    todo = [names.from_imports[b] for b in sorted(bound) if b in names.from_imports]
    if not todo:
        return code
    context = CodemodContext()
    for module, obj, asname in todo:
        RemoveImportsVisitor.remove_unused_import(context, module, obj, asname)
    return RemoveImportsVisitor(context).transform_module(cst.parse_module(code)).code


class _Classes(cst.CSTVisitor):
    """Every class of the module by dotted path of enclosing def/class names."""

    def __init__(self) -> None:
        self.stack: List[str] = []
        self.found: List[Tuple[str, cst.ClassDef]] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.found.append((".".join([*self.stack, node.name.value]), node))
        self.stack.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stack.append(node.name.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()


def _classes(module: cst.Module) -> List[Tuple[str, cst.ClassDef]]:
    finder = _Classes()
    module.visit(finder)
    return finder.found


def _find_class(module: cst.Module, qualname: str) -> cst.ClassDef:
    hits = [node for path, node in _classes(module) if path == qualname]
    if not hits:
        raise CodemodFailed(f"no class `{qualname}` in the file")
    if len(hits) > 1:
        raise CodemodFailed(f"`{qualname}` names {len(hits)} classes of the file")
    return hits[0]


def _body(cls: cst.ClassDef) -> List[cst.BaseStatement]:
    if not isinstance(cls.body, cst.IndentedBlock):
        raise CodemodFailed(f"`{cls.name.value}` has a one-line body")
    return list(cls.body.body)


def _methods(cls: cst.ClassDef) -> List[cst.FunctionDef]:
    return [s for s in _body(cls) if isinstance(s, cst.FunctionDef)]


def _self_name(fn: cst.FunctionDef) -> Optional[str]:
    params = fn.params.posonly_params or fn.params.params
    return params[0].name.value if params else None


def _param_names(fn: cst.FunctionDef) -> Set[str]:
    p = fn.params
    out = {x.name.value for x in (*p.posonly_params, *p.params, *p.kwonly_params)}
    for star in (p.star_arg, p.star_kwarg):
        if isinstance(star, cst.Param):
            out.add(star.name.value)
    return out


def _bound_locally(fn: cst.FunctionDef) -> Set[str]:
    """Names a function binds: parameters and plain assignment/for/with targets."""
    out = _param_names(fn)
    for target in m.findall(fn.body, m.AssignTarget() | m.AnnAssign() | m.For() | m.AsName()):
        node = target.target if isinstance(target, (cst.AssignTarget, cst.AnnAssign, cst.For)) else target.name
        out.update(n.value for n in m.findall(node, m.Name()))
    return out


def _class_annotations(cls: cst.ClassDef) -> Dict[str, str]:
    module = cst.Module(body=[])
    out = {}
    for stmt in _body(cls):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    out[small.target.value] = module.code_for_node(small.annotation.annotation)
    return out


def _ann_line(name: str, annotation: str, leading: Sequence[cst.EmptyLine] = ()) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(
        body=[cst.AnnAssign(target=cst.Name(name), annotation=cst.Annotation(cst.parse_expression(annotation)),
                            value=None)],
        leading_lines=list(leading))


def _insert_at_top(cls: cst.ClassDef, lines: Sequence[cst.SimpleStatementLine]) -> cst.ClassDef:
    """Class annotations after the docstring and the leading simple statements of the body."""
    if not lines:
        return cls
    body = _body(cls)
    at = 0
    while at < len(body) and isinstance(body[at], cst.SimpleStatementLine):
        at += 1
    rest = body[at:]
    if rest and not rest[0].leading_lines:
        rest[0] = rest[0].with_changes(leading_lines=[cst.EmptyLine(indent=False)])  # a blank line before the methods
    return cls.with_changes(body=cls.body.with_changes(body=[*body[:at], *lines, *rest]))


# -- literal types (``__constants__``) ------------------------------------------------------


def _literal_type(node: cst.BaseExpression, params: Dict[str, Optional[str]]) -> Optional[str]:
    """The TorchScript type of a literal constant value, as annotation text, or None."""
    if isinstance(node, cst.Integer):
        return "int"
    if isinstance(node, cst.Float):
        return "float"
    if isinstance(node, cst.Name):
        if node.value in ("True", "False"):
            return "bool"
        return params.get(node.value)  # an __init__ parameter annotated int/float/bool/str
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        if isinstance(node.expression, (cst.Integer, cst.Float)):
            return _literal_type(node.expression, {})
        return None
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return "str" if isinstance(value, str) else None
    if isinstance(node, cst.Tuple) and node.elements:
        parts = []
        for el in node.elements:
            if not isinstance(el, cst.Element):
                return None
            part = _literal_type(el.value, params)
            if part is None:
                return None
            parts.append(part)
        return f"tuple[{', '.join(parts)}]"
    return None


def _annotated_params(fn: cst.FunctionDef) -> Dict[str, Optional[str]]:
    out: Dict[str, Optional[str]] = {}
    p = fn.params
    for param in (*p.posonly_params, *p.params, *p.kwonly_params):
        ann = param.annotation.annotation if param.annotation is not None else None
        out[param.name.value] = ann.value if isinstance(ann, cst.Name) and ann.value in _LITERAL_ANNOTATIONS else None
    return out


def _self_assignments(cls: cst.ClassDef, attr: str) -> List[Tuple[cst.FunctionDef, cst.CSTNode]]:
    """Every statement of the class's methods that writes ``self.<attr>``."""
    out = []
    for fn in _methods(cls):
        me = _self_name(fn)
        target = m.Attribute(value=m.Name(me), attr=m.Name(attr)) if me else None
        if target is None:
            continue
        for node in m.findall(fn.body, m.Assign() | m.AugAssign() | m.AnnAssign() | m.For() | m.With()):
            targets = ([t.target for t in node.targets] if isinstance(node, cst.Assign)
                       else [node.target] if not isinstance(node, cst.With)
                       else [i.asname.name for i in node.items if i.asname is not None])
            if any(m.findall(t, target) for t in targets):
                out.append((fn, node))
    return out


def _constants_statement(cls: cst.ClassDef) -> Optional[Tuple[int, List[str]]]:
    """(index in the body, names) of the class's ``__constants__ = [...]``, or None."""
    found = None
    for i, stmt in enumerate(_body(cls)):
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            targets = ([t.target for t in small.targets] if isinstance(small, cst.Assign)
                       else [small.target] if isinstance(small, (cst.AnnAssign, cst.AugAssign)) else [])
            if not any(isinstance(t, cst.Name) and t.value == "__constants__" for t in targets):
                continue
            if found is not None or not isinstance(small, cst.Assign) or len(small.targets) != 1 or len(stmt.body) != 1:
                raise CodemodFailed("`__constants__` is not one plain `__constants__ = [...]` statement")
            if not isinstance(small.value, (cst.List, cst.Tuple, cst.Set)):
                raise CodemodFailed("`__constants__` is not a list of names")
            names = []
            for el in small.value.elements:
                value = el.value.evaluated_value if isinstance(el, cst.Element) and isinstance(
                    el.value, (cst.SimpleString, cst.ConcatenatedString)) else None
                if not isinstance(value, str) or not value.isidentifier():
                    raise CodemodFailed("`__constants__` lists something else than attribute names")
                names.append(value)
            found = (i, names)
    return found


def _constant_types(module: cst.Module, cls: cst.ClassDef, names: Sequence[str]) -> Dict[str, str]:
    """The literal type of each constant, from its assignments in ``__init__``."""
    if not names:
        return {}
    init = next((fn for fn in _methods(cls) if fn.name.value == "__init__"), None)
    if init is None:
        raise CodemodFailed(f"`{cls.name.value}` has no `__init__` to read the constants' types from")
    params = _annotated_params(init)
    types: Dict[str, str] = {}
    for name in names:
        writes = _self_assignments(cls, name)
        if not writes:
            raise CodemodFailed(f"constant `{name}` is never set in `__init__`: its type is unknown")
        found = set()
        for fn, node in writes:
            if fn is not init or not isinstance(node, cst.Assign) or len(node.targets) != 1 \
                    or not isinstance(node.targets[0].target, cst.Attribute):
                raise CodemodFailed(f"constant `{name}` is set elsewhere than by `self.{name} = ...` in `__init__`")
            found.add(_literal_type(node.value, params))
        if None in found or len(found) != 1:
            raise CodemodFailed(f"the type of constant `{name}` is not a known literal type")
        types[name] = found.pop()
    return types


def _constants_uses(module: cst.Module) -> int:
    """How often the file names ``__constants__`` besides the ``__constants__ = [...]`` statements
    of class bodies (a read such as ``Base.__constants__ + [...]`` pins the list)."""
    uses = len(m.findall(module, m.Name("__constants__") | m.Attribute(attr=m.Name("__constants__"))))
    for _, cls in _classes(module):
        body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
        for stmt in body:
            for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
                if isinstance(small, cst.Assign):
                    uses -= sum(1 for t in small.targets
                                if isinstance(t.target, cst.Name) and t.target.value == "__constants__")
    return uses


def _constants(module: cst.Module, cls: cst.ClassDef, names: _Names, imports: Imports) -> cst.ClassDef:
    """``cls`` with ``__constants__`` replaced by ``Final`` annotations (raises if it cannot).

    A constant the class body already annotates (``k: int``) keeps its type: ``k: Final[int]``;
    the others get theirs from ``__init__``."""
    found = _constants_statement(cls)
    if found is None:
        return cls
    if _constants_uses(module) != 0:
        raise CodemodFailed("`__constants__` is read or written elsewhere in the file")
    index, constant_names = found
    constant_names = list(dict.fromkeys(constant_names))
    body = _body(cls)
    annotated: Dict[str, Tuple[int, cst.AnnAssign]] = {}
    for i, stmt in enumerate(body):
        for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                if small.target.value in annotated and small.target.value in constant_names:
                    raise CodemodFailed(f"constant `{small.target.value}` is annotated twice")
                annotated[small.target.value] = (i, small)
    types = _constant_types(module, cls, [n for n in constant_names if n not in annotated])
    final = _spell_or_import(names, "typing.Final", imports) if constant_names else ""
    replace: Dict[int, cst.CSTNode] = {}
    for name in constant_names:
        if name not in annotated:
            continue
        ann = annotated[name][1].annotation.annotation
        head = ann.value if isinstance(ann, cst.Subscript) else ann
        if names.resolve(head) not in _FINAL:
            replace[id(ann)] = cst.parse_expression(f"{final}[{module.code_for_node(ann)}]")
    if replace:
        cls = cls.visit(_Replace(replace))
        body = _body(cls)
    old = body[index]
    lines = [_ann_line(name, f"{final}[{types[name]}]", old.leading_lines if i == 0 else ())
             for i, name in enumerate(n for n in constant_names if n not in annotated)]
    if not lines and index + 1 < len(body):
        # nothing to declare here: the statement's blank lines stay with the next statement
        body[index + 1] = body[index + 1].with_changes(
            leading_lines=[*old.leading_lines, *body[index + 1].leading_lines])
    new_body = [*body[:index], *lines, *body[index + 1:]]
    if not new_body:
        new_body = [cst.SimpleStatementLine([cst.Pass()])]
    return cls.with_changes(body=cls.body.with_changes(body=new_body))


# -- torch.jit.Attribute -------------------------------------------------------------------


def _attribute_args(call: cst.Call) -> Tuple[cst.BaseExpression, cst.BaseExpression]:
    value = type_ = None
    for i, arg in enumerate(call.args):
        if arg.star:
            raise CodemodFailed("`torch.jit.Attribute(*args)` cannot be read")
        key = arg.keyword.value if arg.keyword is not None else ("value", "type")[i] if i < 2 else None
        if key == "value" and value is None:
            value = arg.value
        elif key == "type" and type_ is None:
            type_ = arg.value
        else:
            raise CodemodFailed("`torch.jit.Attribute` takes a value and a type")
    if value is None or type_ is None:
        raise CodemodFailed("`torch.jit.Attribute` takes a value and a type")
    return value, type_


class _Replace(cst.CSTTransformer):
    """Replaces nodes (by identity in the tree being transformed) with new ones."""

    def __init__(self, replacements: Dict[int, cst.CSTNode]):
        self.replacements = replacements

    def on_leave(self, original_node, updated_node):
        new = self.replacements.get(id(original_node))
        return new if new is not None else updated_node


def _attributes(module: cst.Module, cls: cst.ClassDef, names: _Names) -> cst.ClassDef:
    """``cls`` with each ``self.x = torch.jit.Attribute(v, T)`` of ``__init__`` written
    ``self.x = v`` and ``x: T`` in the class body (raises on any other use)."""
    calls = [c for c in m.findall(cls, m.Call()) if names.resolve(c.func) in _ATTRIBUTE]
    if not calls:
        return cls
    annotated = _class_annotations(cls)
    annotations: Dict[str, str] = {}
    replace: Dict[int, cst.CSTNode] = {}
    for fn in _methods(cls):
        me = _self_name(fn)
        local = _bound_locally(fn)
        for node in m.findall(fn.body, m.Assign()):
            if not (isinstance(node.value, cst.Call) and any(node.value is c for c in calls)):
                continue
            target = node.targets[0].target if len(node.targets) == 1 else None
            on_self = (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                       and target.value.value == me)
            if fn.name.value != "__init__" or not on_self:
                raise CodemodFailed("`torch.jit.Attribute` is used elsewhere than `self.x = torch.jit.Attribute(...)` "
                                    "in `__init__`")
            value, type_ = _attribute_args(node.value)
            type_code = module.code_for_node(type_)
            if {n.value for n in m.findall(type_, m.Name())} & local:
                raise CodemodFailed(f"the type `{type_code}` names a local of `__init__`")
            name = target.attr.value
            if annotations.get(name, type_code) != type_code or annotated.get(name, type_code) != type_code:
                raise CodemodFailed(f"`{name}` is declared with two types")
            if name not in annotated:
                annotations[name] = type_code
            replace[id(node.value)] = value
    if len(replace) != len(calls):
        raise CodemodFailed("`torch.jit.Attribute` is used elsewhere than `self.x = torch.jit.Attribute(...)` "
                            "in `__init__`")
    cls = cls.visit(_Replace(replace))
    return _insert_at_top(cls, [_ann_line(name, ann) for name, ann in annotations.items()])


# -- torch.jit.annotate --------------------------------------------------------------------


def _annotate_form(assign: cst.Assign, names: _Names) -> Optional[Tuple[cst.Name, cst.BaseExpression,
                                                                         cst.BaseExpression]]:
    """(target, type, value) of ``x = torch.jit.annotate(T, v)``, or None for another shape."""
    call = assign.value
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return None
    if len(call.args) != 2 or any(a.keyword is not None or a.star for a in call.args):
        return None
    return assign.targets[0].target, call.args[0].value, call.args[1].value


class _Annotate(cst.CSTTransformer):
    """``x = torch.jit.annotate(T, v)`` -> ``x: T = v`` in function bodies.

    ``only``: the one call to rewrite (raises if it is not in that shape); otherwise every
    call in that shape is rewritten and the others are left alone."""

    def __init__(self, names: _Names, only: Optional[cst.Call] = None):
        self.names = names
        self.only = only
        self.functions: List[Tuple[cst.FunctionDef, Set[str]]] = []
        self.class_depth: List[bool] = []  # per enclosing scope: is it a class body?
        self.changed = 0
        self.seen_only = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        declared = {n.value for d in m.findall(node.body, m.Global() | m.Nonlocal()) for n in
                    (x.name for x in d.names)}
        self.functions.append((node, declared | _param_names(node)))
        self.class_depth.append(False)

    def leave_FunctionDef(self, original_node, updated_node):
        self.functions.pop()
        self.class_depth.pop()
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.class_depth.append(True)

    def leave_ClassDef(self, original_node, updated_node):
        self.class_depth.pop()
        return updated_node

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign):
        call = original_node.value
        if not isinstance(call, cst.Call) or self.names.resolve(call.func) not in _ANNOTATE:
            return updated_node
        if self.only is not None and call is not self.only:
            return updated_node
        self.seen_only = self.seen_only or call is self.only
        form = _annotate_form(updated_node, self.names)
        why = None
        if form is None:
            why = "the call is not the whole value of a one-name assignment `x = torch.jit.annotate(T, v)`"
        elif not self.class_depth or self.class_depth[-1]:
            why = "a PEP 526 annotation at module or class level is not the same (`__annotations__`)"
        elif form[0].value in self.functions[-1][1]:
            why = f"`{form[0].value}` is a parameter or global/nonlocal name of the function"
        if why is not None:
            if self.only is not None:
                raise CodemodFailed(why)
            return updated_node
        target, type_, value = form
        self.changed += 1
        return cst.AnnAssign(target=target, annotation=cst.Annotation(type_), value=value,
                             equal=cst.AssignEqual(), semicolon=updated_node.semicolon)


# -- the codemods --------------------------------------------------------------------------


def constants_to_final(source: str, class_name: str) -> str:
    """``__constants__ = ["a", "b"]`` of class ``class_name`` -> ``a: Final[int]`` annotations.

    A constant the class body annotates keeps that type (``a: int`` -> ``a: Final[int]``);
    the others' come from the ``self.a = <literal>`` assignments of ``__init__`` (int, float,
    bool, str, tuples of those, or an ``__init__`` parameter annotated with one of them);
    when one cannot be known, or ``__constants__`` is used elsewhere, nothing is changed and
    :class:`CodemodFailed` says why."""
    module = _parse(source)
    cls = _find_class(module, class_name)
    names = _Names(module)
    imports: Imports = []
    new = _constants(module, cls, names, imports)
    if new is cls:
        return source
    return _with_imports(module.deep_replace(cls, new).code, imports)


def attribute_to_annotation(source: str, class_name: str) -> str:
    """``self.x = torch.jit.Attribute(v, T)`` in ``__init__`` of ``class_name`` -> ``x: T`` in
    the class body and ``self.x = v``."""
    module = _parse(source)
    cls = _find_class(module, class_name)
    names = _Names(module)
    new = _attributes(module, cls, names)
    if new is cls:
        return source
    bound = {b for b, q in names.bindings.items() if q in _ATTRIBUTE}
    return _remove_unused(module.deep_replace(cls, new).code, names, bound)


def annotate_to_pep526(source: str, line: Optional[int] = None, column: Optional[int] = None) -> str:
    """``x = torch.jit.annotate(T, v)`` -> ``x: T = v``.

    With ``line``/``column`` (1-based line, 0-based column of the call), that call only; it
    must be the whole value of a one-name assignment in a function body, else
    :class:`CodemodFailed`. Without, every call in that shape in the file."""
    module = _parse(source)
    names = _Names(module)
    only = None
    if line is not None:
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
        hits = [c for c in m.findall(module, m.Call()) if names.resolve(c.func) in _ANNOTATE
                and positions[c].start.line == line and (column is None or positions[c].start.column == column)]
        if len(hits) != 1:
            raise CodemodFailed(f"no single `torch.jit.annotate(...)` call at {line}:{column}")
        only = hits[0]
    transformer = _Annotate(names, only)
    new = module.visit(transformer)
    if only is not None and not transformer.changed:
        raise CodemodFailed("the call is not a simple statement `x = torch.jit.annotate(T, v)`")
    return new.code if transformer.changed else source


def script_module_to_module(source: str, class_name: str, constants: Union[bool, str] = "auto") -> str:
    """The ``torch.jit.ScriptModule`` subclass ``class_name`` rewritten as an ``nn.Module``.

    ``@script_method`` is dropped from ``forward`` and becomes ``@torch.jit.export`` on other
    methods; ``torch.jit.Attribute`` becomes a class annotation; ``x = torch.jit.annotate(T, v)``
    statements of its methods become ``x: T = v``; ``__constants__`` becomes ``Final``
    annotations when ``constants`` is True (raising when it cannot), stays (``nn.Module``
    honours it too) when False, and is converted when it can be when ``"auto"``.

    The instance is no longer compiled when it is built: callers compile it with
    ``torch.jit.script(M())``. Raises :class:`CodemodFailed` for a class this cannot rewrite
    as an equivalent module: not a direct ``ScriptModule`` subclass, a metaclass, subclassed in
    this file, ``ScriptModule`` API used on ``self`` (``define``, ``graph``, ``save``...), a
    compiled special method (``__getstate__``...), or ``script_method``/``Attribute`` in another
    shape."""
    module = _parse(source)
    cls = _find_class(module, class_name)
    names = _Names(module)
    imports: Imports = []
    name = cls.name.value

    bases = [arg for arg in cls.bases if names.resolve(arg.value) in _SCRIPT_MODULE]
    decorated = [(fn, dec) for fn in _methods(cls) for dec in fn.decorators
                 if names.resolve(dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator)
                 in _SCRIPT_METHOD]
    if not bases:
        if decorated:
            raise CodemodFailed(f"`{name}` is not a direct `torch.jit.ScriptModule` subclass")
        return source  # already an nn.Module: nothing to do
    if cls.keywords:
        raise CodemodFailed(f"`{name}` is declared with keywords (a metaclass?)")
    if len(bases) != 1 or any(b.star for b in cls.bases):
        raise CodemodFailed(f"`{name}` has an unusual list of bases")
    for path, other in _classes(module):
        if other is not cls and any(_dotted(b.value) and _dotted(b.value).split(".")[-1] == name for b in other.bases):
            raise CodemodFailed(f"`{name}` is subclassed in this file (`{path}`): the subclass is a ScriptModule too")
    own = {fn.name.value for fn in _methods(cls)}
    for fn in _methods(cls):
        me = _self_name(fn)
        for attr in m.findall(fn.body, m.Attribute(value=m.Name(me) if me else m.DoNotCare())):
            if attr.attr.value in _SCRIPT_MODULE_API and attr.attr.value not in own:
                raise CodemodFailed(f"`{name}` uses `self.{attr.attr.value}`, which only a ScriptModule has")
    script_uses = [n for n in m.findall(cls, m.Name() | m.Attribute())
                   if names.resolve(n) in _SCRIPT_METHOD | _SCRIPT_MODULE]
    expected = len(decorated) + 1  # the decorators and the base
    if len(script_uses) != expected:
        raise CodemodFailed(f"`{name}` uses `script_method`/`ScriptModule` in another way than the decorator "
                            "and the base")

    # ``Attribute`` and ``annotate`` first, on the original class (its nodes are its own)
    new = _attributes(module, cls, names)
    new = new.visit(_Annotate(names))
    if constants is True:
        new = _constants(module, new, names, imports)
    elif constants == "auto":
        try:
            new = _constants(module, new, names, imports)
        except CodemodFailed:
            imports.clear()

    base = _spell_or_import(names, "torch.nn.Module", imports)
    export = None
    body = []
    for stmt in _body(new):
        if isinstance(stmt, cst.FunctionDef):
            decorators: List[cst.Decorator] = []
            pending: List[cst.EmptyLine] = []  # comments/blank lines above a dropped decorator
            for dec in stmt.decorators:
                target = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
                if names.resolve(target) in _SCRIPT_METHOD:
                    if isinstance(dec.decorator, cst.Call):
                        raise CodemodFailed("`@script_method(...)` is called with arguments")
                    if stmt.name.value == "forward":
                        pending.extend(dec.leading_lines)
                        continue
                    if stmt.name.value.startswith("__") and stmt.name.value.endswith("__"):
                        raise CodemodFailed(f"`{stmt.name.value}` is a compiled special method (a serialization "
                                            "hook?): an eager nn.Module with it behaves differently")
                    if export is None:
                        export = _spell_or_import(names, "torch.jit.export", imports)
                    dec = dec.with_changes(decorator=cst.parse_expression(export), trailing_whitespace=(
                        cst.TrailingWhitespace() if dec.trailing_whitespace.comment is not None else
                        dec.trailing_whitespace))
                if pending:
                    dec = dec.with_changes(leading_lines=[*pending, *dec.leading_lines])
                    pending = []
                decorators.append(dec)
            stmt = stmt.with_changes(decorators=decorators,
                                     lines_after_decorators=[*pending, *stmt.lines_after_decorators])
        body.append(stmt)
    new = new.with_changes(body=new.body.with_changes(body=body))
    new_bases = [b.with_changes(value=cst.parse_expression(base)) if names.resolve(b.value) in _SCRIPT_MODULE else b
                 for b in new.bases]
    new = new.with_changes(bases=new_bases)
    code = module.deep_replace(cls, new).code
    bound = {b for b, q in names.bindings.items() if q in _SCRIPT_MODULE | _SCRIPT_METHOD | _ATTRIBUTE}
    return _with_imports(_remove_unused(code, names, bound), imports)

