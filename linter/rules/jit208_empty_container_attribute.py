from typing import Dict, Optional, Set

import libcst as cst

from ..analysis.context import FixSpec
from ..analysis.names import dotted_name
from ..analysis.syntax import iter_descendants
from ..analysis.value_kinds import empty_container
from ..finding import SAFE
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
    When ``__init__`` already annotates the attribute (``self.items: List[int] = []``), the fix
    adds the same annotation to the class body; it is safe (annotations do not change eager
    behaviour). Without an annotation the element type is unknown and no fix is offered.
    """

    code = "JIT208"
    name = "empty-container-attribute"
    message = "module attribute holds an empty container whose type TorchScript cannot infer"
    fix_safety = "safe"
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
    def _class_annotation_fix(cls, attr: str, ann: str, fctx):
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
        return FixSpec(f"Declare `{attr}: {ann}` in the class body", [(anchor, text)], SAFE)


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
