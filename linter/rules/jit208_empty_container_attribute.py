from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from ..analysis.context import FixSpec
from ..analysis.names import dotted_name
from ..analysis.syntax import iter_descendants
from ..analysis.value_kinds import empty_container
from ..analysis.spellings import bound_before, torch_spelling, typing_name
from ..finding import SAFE, UNSAFE
from .base import Example, Rule

_MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "__setitem__", "add"})
# Methods that run only after torch.jit.script has typed the attribute (what they store does
# not change the type the compiler saw).
_COMPILED_FLAGS = ("torch.jit.export", "torch.jit.ignore", "torch.jit.unused", "torch.jit._script.export")


def _self_attr(node: cst.BaseExpression, me: str) -> Optional[str]:
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == me:
        return node.attr.value
    return None


class _Empty:
    def __init__(self, assign: cst.CSTNode, value: cst.BaseExpression, annotation: Optional[cst.Annotation],
                 what: str):
        self.assign = assign
        self.value = value
        self.annotation = annotation
        self.what = what


class EmptyContainerAttribute(Rule):
    """
    ## What it does
    Flags an ``nn.Module`` attribute set to an empty list or dict in ``__init__``
    (``self.items = []``, ``self.cache = {}``, ``list()``, ``dict()``, also with an instance
    annotation ``self.items: List[int] = []``) when a compiled method reads it and the class
    body does not declare its type (``items: List[int]``). The finding is at the assignment and
    names the compiled method that uses the attribute.

    ## Why is this bad?
    ``torch.jit.script`` types module attributes from their values when it compiles the
    module, and an empty container has no element type: it fails with "Module 'M' has no
    attribute 'items' (This attribute exists on the Python module, but we failed to convert
    Python type: 'list' to a TorchScript type. List trace inputs must have elements)",
    pointing at the use in ``forward``. An annotation on the instance assignment in
    ``__init__`` is *not* read for modules; only a class-level annotation (or
    ``torch.jit.Attribute``, or listing the name in ``__constants__``) is. Containers filled in
    ``__init__`` (or in a setup method) before scripting are typed from their elements and are
    not reported.

    ## Example
    ```python
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.items: List[int] = []

        def forward(self, x):
            return x + len(self.items)
    ```

    ## Use instead
    ```python
    class M(nn.Module):
        items: List[int]

        def __init__(self):
            super().__init__()
            self.items = []
    ```

    ## Fix safety
    The fix adds a class-body annotation; annotations do not change what eager Python computes.
    When ``__init__`` already annotates the attribute (``self.items: List[int] = []``), the fix
    writes the same annotation (safe). Otherwise the type comes from how the class uses the
    attribute: literal keys (``self.cache["a"]``, ``"a" in self.cache``), a subscript returned
    by a method with a return annotation (its value type), ``.append(v)``/``self.d[k] = v`` of a
    literal or an annotated parameter (safe, when every use agrees and none is of another kind).
    When no use depends on the element type (only ``len()``, truthiness, ``in`` of a literal
    key), any type compiles and the fix writes ``List[torch.Tensor]`` /
    ``Dict[str, torch.Tensor]``; that one is unsafe: code outside the class may fill the
    container with other values before the module is scripted.
    """

    code = "JIT208"
    name = "empty-container-attribute"
    message = "module attribute holds an empty container whose type TorchScript cannot infer"
    fix_safety = "safe or unsafe (see Fix safety)"
    evidence = ("s401", "s402", "s411")

    INVALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.items = []  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x + len(self.items)
            """,
            root="M",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.cache = {}  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if "a" in self.cache:
                        return self.cache["a"]
                    return x
            """,
            root="M",
        ),
        Example(
            """
            from typing import List
            import torch

            class M(torch.nn.Module):
                \"\"\"Adds the number of items.\"\"\"

                def __init__(self):
                    super().__init__()
                    self.items: List[int] = []  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x + len(self.items)
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Dict, List
            import torch

            class M(torch.nn.Module):
                cache: Dict[str, torch.Tensor]
                __constants__ = ["names"]

                def __init__(self):
                    super().__init__()
                    self.cache = {}
                    self.sizes = []
                    for i in range(3):
                        self.sizes.append(i)
                    self.names = []
                    self.unused = {}
                    self.steps = torch.jit.Attribute([], List[int])

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if "a" in self.cache:
                        x = x + self.cache["a"]
                    return x + len(self.sizes) + len(self.names)
            """,
            root="M",
            inputs="[(torch.ones(2),)]",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.items = []
                    self.build()

                def build(self):
                    self.items = [1, 2]

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x + len(self.items)
            """,
            root="M",
            inputs="[(torch.ones(2),)]",
        ),
    ]

    def check_class(self, cls, fctx) -> None:
        init = cls.methods.get("__init__")
        if init is None or not cls.node.bases or not init.params.params:
            return
        me = init.params.params[0].name.value
        names = _Resolver(fctx)
        empties: Dict[str, _Empty] = {}
        for node in _small_statements(init.body.body):
            if isinstance(node, cst.Assign) and len(node.targets) == 1:
                attr = _self_attr(node.targets[0].target, me)
                what = empty_container(node.value, names) if attr is not None else None
                if what is not None:
                    empties.setdefault(attr, _Empty(node, node.value, None, what))
            elif isinstance(node, cst.AnnAssign) and node.value is not None:
                attr = _self_attr(node.target, me)
                what = empty_container(node.value, names) if attr is not None else None
                if what is not None:
                    empties.setdefault(attr, _Empty(node, node.value, node.annotation, what))
        if not empties:
            return
        declared = set(cls.summary.class_annotations) | set(cls.summary.constants)
        for attr in list(empties):
            if attr in declared:
                del empties[attr]
        if not empties:
            return
        spoiled = self._filled_elsewhere(cls, set(empties), fctx)
        for attr, empty in empties.items():
            if attr in spoiled:
                continue
            what = empty.what
            fix = None
            note = ""
            if empty.annotation is not None:
                ann = fctx.code_of(empty.annotation.annotation)
                note = " (the annotation in `__init__` is not read for module attributes)"
                fix = self._class_annotation_fix(cls, attr, ann, fctx)
                hint = f"declare it in the class body: `{attr}: {ann}`"
            else:
                example = "List[int]" if what == "list" else "Dict[str, torch.Tensor]"
                hint = f"declare its type in the class body (e.g. `{attr}: {example}`)"
                inferred = _infer_annotation(cls, attr, what, fctx)
                if inferred is not None:
                    ann, imports, guessed = inferred
                    fix = self._class_annotation_fix(cls, attr, ann, fctx, imports, UNSAFE if guessed else SAFE)
            fctx.report(empty.value,
                        f"`self.{attr}` is an empty {what} when the module is scripted and `{{use}}` reads it: "
                        f"torch.jit.script cannot infer its element type and rejects the module at that use"
                        f"{note}; {hint}",
                        fix=fix,
                        requires=(("module", cls.id), ("attr_used", cls.id, attr),
                                  ("attr_undefined_in_bases", cls.id, attr)))

    @staticmethod
    def _filled_elsewhere(cls, attrs: Set[str], fctx) -> Set[str]:
        """Attributes assigned another value, or mutated in ``__init__`` or a method that may run
        before scripting (not ``forward`` nor a ``@torch.jit.export/ignore/unused`` method)."""
        out: Set[str] = set()
        names = _Resolver(fctx)
        for mname, method in cls.methods.items():
            params = method.params.params
            if not params:
                continue
            me = params[0].name.value
            runs_later = mname == "forward" or any(
                fctx.names.resolve(_dec_name(d)) in _COMPILED_FLAGS for d in method.decorators)
            nodes = _small_statements(method.body.body) if runs_later else iter_descendants(method.body)
            for node in nodes:
                if isinstance(node, cst.Assign):
                    for t in node.targets:
                        attr = _self_attr(t.target, me)
                        if attr in attrs and not (mname == "__init__" and empty_container(node.value, names)):
                            out.add(attr)
                        if isinstance(t.target, cst.Subscript) and not runs_later:
                            inner = _self_attr(t.target.value, me)
                            if inner in attrs:
                                out.add(inner)
                elif isinstance(node, cst.AugAssign):
                    attr = _self_attr(node.target, me)
                    if attr in attrs and not runs_later:
                        out.add(attr)
                elif isinstance(node, cst.Call) and not runs_later:
                    func = node.func
                    if isinstance(func, cst.Attribute) and func.attr.value in _MUTATORS:
                        attr = _self_attr(func.value, me)
                        if attr in attrs:
                            out.add(attr)
                    elif isinstance(func, cst.Name) and func.value == "setattr":
                        out.update(attrs)
        return out

    @staticmethod
    def _class_annotation_fix(cls, attr: str, ann: str, fctx, imports=(), applicability=SAFE):
        body = cls.node.body
        if not isinstance(body, cst.IndentedBlock):
            return None
        indent = body.indent if body.indent is not None else fctx.module.default_indent
        line = f"{indent}{attr}: {ann}{fctx.module.default_newline}"
        first = body.body[0] if body.body else None
        if (isinstance(first, cst.SimpleStatementLine) and len(first.body) == 1 and isinstance(first.body[0], cst.Expr)
                and isinstance(first.body[0].value, (cst.SimpleString, cst.ConcatenatedString))):
            anchor = first.trailing_whitespace  # after the docstring
            text = fctx.code_of(anchor) + fctx.module.default_newline + line
        else:
            anchor = body.header
            text = fctx.code_of(anchor) + line
            if isinstance(first, (cst.FunctionDef, cst.ClassDef)):
                text += fctx.module.default_newline
        return FixSpec(f"Declare `{attr}: {ann}` in the class body", [(anchor, text)], applicability, tuple(imports))


def _small_statements(stmts):
    """The small statements of a block, through compound statements (no expression walk)."""
    for stmt in stmts:
        if isinstance(stmt, cst.SimpleStatementLine):
            yield from stmt.body
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        else:
            for name in ("body", "orelse", "finalbody"):
                part = getattr(stmt, name, None)
                if isinstance(part, cst.If):
                    yield from _small_statements([part])
                elif part is not None and isinstance(getattr(part, "body", None), cst.BaseSuite):
                    yield from _small_statements(part.body.body)
                elif isinstance(part, cst.BaseSuite):
                    yield from _small_statements(part.body)
            for handler in getattr(stmt, "handlers", ()) or ():
                yield from _small_statements(handler.body.body)


def _dec_name(dec: cst.Decorator) -> Optional[str]:
    node = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
    return dotted_name(node)


class _Resolver:
    """The part of a function context ``empty_container`` needs, for class-level checks."""

    def __init__(self, fctx):
        self.names = fctx.names

    def resolve(self, node) -> Optional[str]:
        return self.names.resolve(dotted_name(node))


def _literal_kind(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.Integer):
        return "int"
    if isinstance(node, cst.Float):
        return "float"
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        return "str"
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return "bool"
    return None


class _Uses(cst.CSTVisitor):
    """How one method uses ``self.<attr>``: the key and value types its uses fix, and whether
    a use needs a type none of them gives (``bad``)."""

    def __init__(self, me: str, attr: str, method: cst.FunctionDef, fctx):
        self.me, self.attr, self.fctx = me, attr, fctx
        self.params = {p.name.value: p for p in method.params.params}
        self.init = method.name.value == "__init__"
        self.returns = fctx.code_of(method.returns.annotation) if method.returns is not None else None
        self.stack: List[cst.CSTNode] = []
        self.keys: Set[str] = set()
        self.values: Set[str] = set()
        self.bad = False
        self.seen = 0

    def on_visit(self, node):
        if isinstance(node, cst.Attribute) and _self_attr(node, self.me) == self.attr:
            self.seen += 1
            self._use(node)
        self.stack.append(node)
        return True

    def on_leave(self, original):
        self.stack.pop()

    def _value_of(self, node: cst.BaseExpression) -> Optional[str]:
        kind = _literal_kind(node)
        if kind is not None:
            return kind
        if isinstance(node, cst.Name) and node.value in self.params:
            ann = self.params[node.value].annotation
            return self.fctx.code_of(ann.annotation) if ann is not None else None
        return None

    def _key(self, node: cst.BaseExpression) -> None:
        kind = _literal_kind(node)
        if kind is None:
            kind = self._value_of(node)
        if kind is None:
            self.bad = True
        else:
            self.keys.add(kind)

    def _use(self, node: cst.Attribute) -> None:  # noqa: C901 - one case per use form
        parents = self.stack
        parent = parents[-1] if parents else None
        grand = parents[-2] if len(parents) >= 2 else None
        if isinstance(parent, cst.Arg) and isinstance(grand, cst.Call) and isinstance(grand.func, cst.Name) \
                and grand.func.value == "len" and len(grand.args) == 1:
            return
        if isinstance(parent, cst.AssignTarget) and self.init and isinstance(grand, cst.Assign) \
                and len(grand.targets) == 1 and empty_container(grand.value, _Resolver(self.fctx)):
            return  # the empty value itself
        if isinstance(parent, cst.AnnAssign) and parent.target is node and self.init and parent.value is not None \
                and empty_container(parent.value, _Resolver(self.fctx)):
            return
        if isinstance(parent, (cst.If, cst.While)) and parent.test is node:
            return
        if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
            return
        if isinstance(parent, cst.ComparisonTarget) and isinstance(parent.operator, (cst.In, cst.NotIn)) \
                and isinstance(grand, cst.Comparison) and len(grand.comparisons) == 1:
            self._key(grand.left)
            return
        if isinstance(parent, cst.Subscript) and parent.value is node and len(parent.slice) == 1 \
                and isinstance(parent.slice[0].slice, cst.Index):
            self._key(parent.slice[0].slice.value)
            if isinstance(grand, cst.Return) and self.returns is not None:
                self.values.add(self.returns)
                return
            if isinstance(grand, cst.AssignTarget) and len(parents) >= 3 and isinstance(parents[-3], cst.Assign):
                value = self._value_of(parents[-3].value)
                if value is not None:
                    self.values.add(value)
                    return
            self.bad = True
            return
        if isinstance(parent, cst.Attribute) and parent.value is node and isinstance(grand, cst.Call) \
                and parent.attr.value == "append" and len(grand.args) == 1:
            value = self._value_of(grand.args[0].value)
            if value is None:
                self.bad = True
            else:
                self.values.add(value)
            return
        self.bad = True


def _infer_annotation(cls, attr: str, what: str, fctx) -> Optional[Tuple[str, tuple, bool]]:
    """(annotation, imports, guessed) for an empty container attribute, from its uses."""
    if what not in ("list", "dict"):
        return None
    keys: Set[str] = set()
    values: Set[str] = set()
    for mname, method in cls.methods.items():
        params = method.params.params
        if not params:
            continue
        uses = _Uses(params[0].name.value, attr, method, fctx)
        method.body.visit(uses)
        if uses.bad:
            return None
        keys |= uses.keys
        values |= uses.values
    if what == "list":
        keys.discard("int")  # xs[0], 0 in xs: indexes and tested values say nothing of the elements
        if keys:
            return None
    imports: List[Tuple[str, Optional[str]]] = []
    guessed = False
    if len(values) > 1 or len(keys) > 1:
        return None
    if not values:
        tensor = torch_spelling(fctx, "Tensor")
        if tensor is None:
            return None
        values = {tensor}
        guessed = True
    key = next(iter(keys)) if keys else "str"
    guessed = guessed or (what == "dict" and not keys)
    container = "List" if what == "list" else "Dict"
    spelled = typing_name(fctx, container)
    for used in (spelled, *values):
        if used is not None and not bound_before(fctx, used.split(".")[0].split("[")[0], cls.name):
            return None  # bound after the class: its body annotation would fail
    if spelled is None:
        if container in fctx.names.bindings:
            return None
        spelled = container
        imports.append(("typing", container))
    value = next(iter(values))
    ann = f"{spelled}[{value}]" if what == "list" else f"{spelled}[{key}, {value}]"
    return ann, tuple(imports), guessed
