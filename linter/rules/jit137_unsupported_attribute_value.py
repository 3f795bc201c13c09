import re
from typing import Dict, Iterator, List, Optional, Tuple

import libcst as cst

from ..analysis import torch_api
from ..analysis.context import FixSpec
from ..analysis.hoisting import NotHoistable, file_source, plan_lambda_attribute
from ..analysis.names import dotted_name
from ..finding import UNSAFE
from .base import Example, Rule

# Calls whose result is a Python object TorchScript cannot convert to any type (checked with
# torch 2.13: "failed to convert Python type: 'types.SimpleNamespace' to a TorchScript type").
_OBJECT_FACTORIES = {
    "types.SimpleNamespace": "a `types.SimpleNamespace`",
    "argparse.Namespace": "an `argparse.Namespace`",
    "functools.partial": "a `functools.partial` object",
    "logging.getLogger": "a `logging.Logger`",
    "re.compile": "a compiled regular expression",
    "builtins.object": "an `object()`",
    "builtins.set": "a set",
    "builtins.frozenset": "a frozenset",
    "numpy.array": "a numpy array",
    "numpy.asarray": "a numpy array",
    "numpy.zeros": "a numpy array",
    "numpy.ones": "a numpy array",
    "numpy.empty": "a numpy array",
    "numpy.full": "a numpy array",
    "numpy.arange": "a numpy array",
    "numpy.linspace": "a numpy array",
    "numpy.eye": "a numpy array",
}
_TENSOR_FACTORIES = frozenset({
    "torch.tensor", "torch.zeros", "torch.ones", "torch.randn", "torch.rand", "torch.arange",
    "torch.full", "torch.empty", "torch.eye", "torch.as_tensor",
})
_HINTS = {
    "set": "store a list (or a `Dict[T, bool]`) instead",
    "lambda": "use a module-level `def` (or an nn.Module such as `nn.Identity()`)",
    "modules": "wrap them in `nn.ModuleList(...)` / `nn.ModuleDict(...)`",
    "mixed": "split it into separately typed attributes",
    "object": "copy the fields the compiled code needs into typed attributes in `__init__`",
    "partial": "use a module-level `def` that passes the bound arguments",
    "logger": "use a module-level logger, called under `if not torch.jit.is_scripting():`",
}


def _iter_assignments(stmts) -> Iterator[Tuple[cst.BaseExpression, Optional[cst.BaseExpression]]]:
    """(target, value) of every assignment statement in a body, through compound statements."""
    for stmt in stmts:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign):
                    for t in small.targets:
                        yield t.target, small.value if len(small.targets) == 1 else None
                elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                    yield small.target, small.value if isinstance(small, cst.AnnAssign) else None
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        else:
            for name in ("body", "orelse", "finalbody"):
                block = getattr(stmt, name, None)
                if block is None:
                    continue
                if isinstance(block, cst.If):
                    yield from _iter_assignments([block])
                    continue
                inner = getattr(block, "body", None)
                if isinstance(inner, cst.BaseSuite):
                    inner = inner.body
                if isinstance(inner, (list, tuple)):
                    yield from _iter_assignments(inner)
            for handler in getattr(stmt, "handlers", ()) or ():
                yield from _iter_assignments(handler.body.body)
            for case in getattr(stmt, "cases", ()) or ():
                yield from _iter_assignments(case.body.body)


def _self_attr(target: cst.BaseExpression, self_name: str) -> Optional[str]:
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == self_name:
        return target.attr.value
    return None


def _module_list(names) -> Optional[Tuple[str, tuple]]:
    """How this file spells ``torch.nn.ModuleList`` (and the import it needs), or None."""
    if names.resolve("ModuleList") == "torch.nn.ModuleList":
        return "ModuleList", ()
    if names.resolve("nn") == "torch.nn":
        return "nn.ModuleList", ()
    for head, binding in names.bindings.items():
        if binding.kind == "import" and binding.target == "torch":
            return f"{head}.nn.ModuleList", ()
    if "torch" in names.bindings:
        return None
    return "torch.nn.ModuleList", (("torch", None),)


def _literal_items(value: cst.Set) -> Optional[List[str]]:
    """The set's int or str literal elements (one kind), duplicates dropped, as code."""
    import ast

    out, seen, kinds = [], set(), set()
    for el in value.elements:
        if isinstance(el, cst.StarredElement):
            return None
        node = el.value
        neg = isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
        inner = node.expression if neg else node
        if isinstance(inner, cst.Integer):
            kinds.add("int")
        elif isinstance(inner, cst.SimpleString) and not neg:
            kinds.add("str")
        else:
            return None
        code = cst.Module([]).code_for_node(node)
        try:
            literal = ast.literal_eval(code)
        except (ValueError, SyntaxError):
            return None
        if literal not in seen:
            seen.add(literal)
            out.append(code)
    return out if len(kinds) == 1 else None


_NAMESPACES = ("types.SimpleNamespace", "argparse.Namespace")


def _literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("True", "False")
    return (isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
            and isinstance(node.expression, (cst.Integer, cst.Float)))


def _fields(value: cst.BaseExpression, fctx) -> Optional[Dict[str, cst.BaseExpression]]:
    """name -> literal value of a ``SimpleNamespace(k=v, ...)`` call or a dict display with
    identifier-like str keys; None for any other form."""
    out: Dict[str, cst.BaseExpression] = {}
    if isinstance(value, cst.Call) and fctx.names.resolve(dotted_name(value.func)) in _NAMESPACES:
        for arg in value.args:
            if arg.keyword is None or arg.star or not _literal(arg.value):
                return None
            out[arg.keyword.value] = arg.value
        return out or None
    if isinstance(value, cst.Dict):
        for el in value.elements:
            if not (isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString) and _literal(el.value)):
                return None
            key = el.key.evaluated_value
            if not isinstance(key, str) or not key.isidentifier() or key in out:
                return None
            out[key] = el.value
        return out or None
    return None


def _split_fix(attr: str, value: cst.BaseExpression, cls, fctx) -> Optional[FixSpec]:
    """``self.cfg = SimpleNamespace(eps=1e-5)`` read only as ``self.cfg.eps`` (``{"a": 1, ...}``
    read only as ``self.cfg["a"]``): one typed attribute per field read, set right after the
    assignment, and the reads renamed."""
    fields = _fields(value, fctx)
    init = cls.methods.get("__init__")
    if fields is None or init is None or not isinstance(init.body, cst.IndentedBlock):
        return None
    namespace = isinstance(value, cst.Call)
    me = init.params.params[0].name.value
    assign = next((small for stmt in init.body.body if isinstance(stmt, cst.SimpleStatementLine)
                   for small in stmt.body if isinstance(small, cst.Assign) and small.value is value), None)
    if assign is None or len(assign.targets) != 1:
        return None
    class_code = fctx.code_of(cls.node)
    edits, used = [], []
    for method in cls.methods.values():
        if not method.params.params:
            continue
        mine = method.params.params[0].name.value
        uses = _FieldReads(mine, attr, namespace)
        method.visit(uses)
        if uses.other - (1 if method is init else 0):
            return None  # read as a whole (passed on, iterated, written): no fix
        for node, field in uses.reads:
            if field not in fields:
                return None
            new = f"{attr}_{field}"
            if field not in used:
                if re.search(rf"\b{new}\b", class_code):
                    return None
                used.append(field)
            edits.append((node, f"{mine}.{new}"))
    if not edits:
        return None
    indent = (cls.node.body.indent or fctx.module.default_indent) + (init.body.indent or fctx.module.default_indent)
    lines = "".join(f"{fctx.module.default_newline}{indent}{me}.{attr}_{f} = {fctx.code_of(fields[f])}" for f in used)
    edits.append((assign, fctx.code_of(assign).rstrip() + lines))
    return FixSpec(f"Store the fields of `{attr}` read by compiled code as attributes", edits, UNSAFE)


class _FieldReads(cst.CSTVisitor):
    """``self.<attr>.<field>`` (namespace) or ``self.<attr>["field"]`` (dict) reads, and how many
    other occurrences of ``self.<attr>`` there are."""

    def __init__(self, me: str, attr: str, namespace: bool):
        self.me, self.attr, self.namespace = me, attr, namespace
        self.reads: List[Tuple[cst.CSTNode, str]] = []
        self.other = 0
        self.claimed: set = set()
        self.stores: set = set()

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.stores.add(id(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.stores.add(id(node.target))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self.namespace and _self_attr(node.value, self.me) == self.attr and id(node) not in self.stores:
            self.reads.append((node, node.attr.value))
            self.claimed.add(id(node.value))
        elif _self_attr(node, self.me) == self.attr and id(node) not in self.claimed:
            self.other += 1

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if self.namespace or _self_attr(node.value, self.me) != self.attr or id(node) in self.stores:
            return
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) \
                and isinstance(node.slice[0].slice.value, cst.SimpleString):
            key = node.slice[0].slice.value.evaluated_value
            if isinstance(key, str):
                self.reads.append((node, key))
                self.claimed.add(id(node.value))


class _AttrUses(cst.CSTVisitor):
    """``self.<attr>`` reads in a method, and those that are the right side of ``in``."""

    def __init__(self, me: str, attr: str):
        self.me, self.attr = me, attr
        self.uses = 0
        self.membership = 0

    def _is(self, node) -> bool:
        return _self_attr(node, self.me) == self.attr

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self._is(node):
            self.uses += 1

    def visit_Comparison(self, node: cst.Comparison) -> None:
        for target in node.comparisons:
            if isinstance(target.operator, (cst.In, cst.NotIn)) and self._is(target.comparator):
                self.membership += 1


def _only_membership(cls, attr: str) -> bool:
    """Every read of ``self.<attr>`` in the class is ``x in self.<attr>`` / ``not in`` (the one
    assignment aside)."""
    total = membership = 0
    for method in cls.methods.values():
        params = method.params.params
        if not params:
            continue
        uses = _AttrUses(params[0].name.value, attr)
        method.visit(uses)
        total += uses.uses
        membership += uses.membership
    return membership > 0 and total == membership + 1


class UnsupportedAttributeValue(Rule):
    """
    ## What it does
    Flags an ``nn.Module`` attribute assigned in ``__init__`` a value TorchScript cannot type,
    when a compiled method reads it: a set, a dict or list literal mixing value types
    (``{"a": 1, "b": "x"}``), a lambda, a plain Python list/tuple/dict of ``nn.Module``s, or an
    arbitrary Python object (``types.SimpleNamespace``, ``argparse.Namespace``,
    ``functools.partial``, a logger, a numpy array...). The finding is reported at the
    assignment and names the compiled method that uses the attribute.

    ## Why is this bad?
    ``torch.jit.script`` types module attributes from their current values. It rejects these
    ("Module 'M' has no attribute 'cfg' (This attribute exists on the Python module, but we
    failed to convert Python type: 'types.SimpleNamespace' to a TorchScript type")), and points
    at the use in ``forward``, not at the assignment. A plain list of modules is also invisible
    to ``.to()``, ``.parameters()`` and ``state_dict()`` in eager Python. Attributes no compiled
    method touches are dropped silently and are fine; so are function attributes such as
    ``self.act = F.gelu`` or a module-level ``def``.

    ## Example
    ```python
    def __init__(self):
        super().__init__()
        self.layers = [nn.Linear(2, 2), nn.Linear(2, 2)]
        self.allowed = {1, 2}

    def forward(self, x, k: int):
        for layer in self.layers:
            x = layer(x)
        return x if k in self.allowed else -x
    ```

    ## Use instead
    ```python
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
        self.allowed = [1, 2]
    ```

    ## Fix safety
    Three forms have an unsafe fix (applied with ``--unsafe-fixes``), each offered only when the
    attribute is assigned once in the class:

    - a plain list/tuple (or list comprehension) of ``nn.Module``s is wrapped in
      ``nn.ModuleList(...)``. ``forward`` computes the same, but the parameters become
      registered: ``state_dict()`` gains their keys, ``.to()``/``.parameters()`` reach them
      (usually the intent), and code treating the attribute as a list or tuple (``+``,
      ``isinstance``, ``==``) behaves differently;
    - a set literal of int or str constants that the class only tests with ``in``/``not in``
      becomes a list of the same elements (first occurrence order): membership is the same for
      ints, floats, bools and strings, but differs for a Tensor or an unhashable value tested
      (a set hashes, a list compares with ``==``);
    - ``self.act = lambda t: ...`` reading no local of ``__init__`` becomes ``self.act = _act``
      with a module-level ``def _act(t): return ...`` (codemod ``hoist-lambda-attribute``):
      the same calls compute the same, but the function's ``__name__`` changes and the function
      is created once instead of per instance.

    - ``self.cfg = types.SimpleNamespace(eps=1e-5)`` read only as ``self.cfg.eps`` (a dict
      display of literals mixing value types read only as ``self.cfg["a"]``) gets one attribute
      per field read, set right after it (``self.cfg_eps = 1e-5``), and the reads use it: the
      same values, unless code changes the object's fields after ``__init__`` (the new
      attributes do not follow). The object itself stays.

    Other config objects and containers have no fix (splitting them is a design decision).
    """

    code = "JIT137"
    name = "unsupported-attribute-value"
    fix_safety = "unsafe"
    message = "module attribute holds a value TorchScript cannot type"
    evidence = ("s405", "s407", "s408", "s410", "s440", "s406", "s409")

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = [nn.Linear(2, 2), nn.Linear(2, 2)]  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    for layer in self.layers:
                        x = layer(x)
                    return x
            """,
            root="M",
            inputs="[(torch.ones(1, 2),)]",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.allowed = {1, 2}  # MARK

                def forward(self, x: torch.Tensor, k: int) -> torch.Tensor:
                    if k in self.allowed:
                        return x + 1
                    return x
            """,
            root="M",
            inputs="[(torch.ones(3), 1)]",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.cfg = {"a": 1, "b": "x"}  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x + self.cfg["a"]
            """,
            root="M",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.act = lambda t: t * 2  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.act(x)
            """,
            root="M",
        ),
        Example(
            """
            import types
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.cfg = types.SimpleNamespace(eps=1e-5)  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x + self.helper()

                @torch.jit.export
                def helper(self) -> float:
                    return self.cfg.eps
            """,
            root="M",
        ),
        Example(
            """
            from functools import partial
            import torch
            import torch.nn.functional as F

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.act = partial(F.gelu, approximate="tanh")  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.act(x)
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            import types
            import torch
            import torch.nn.functional as F
            from torch import nn

            def _double(t: torch.Tensor) -> torch.Tensor:
                return t * 2

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    cfg = types.SimpleNamespace(eps=1e-5)
                    self.eps = cfg.eps
                    self.cfg = cfg
                    self.tags = {1, 2}
                    self.fn = lambda t: t
                    self.layers = nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 3)])
                    self.allowed = [1, 2]
                    self.pair = (1, "a")
                    self.opt = {"a": 1, "b": None}
                    self.act = F.gelu
                    self.scale = _double

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    for layer in self.layers:
                        x = layer(x)
                    if 1 in self.allowed and self.pair[0] == 1 and self.opt["a"] is not None:
                        x = x + self.eps
                    return self.scale(self.act(x))
            """,
            root="M",
            inputs="[(torch.ones(1, 3),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self, use_lambda: bool = False):
                    super().__init__()
                    if use_lambda:
                        self.act = lambda t: t * 2
                    else:
                        self.act = nn.Identity()
                    self.allowed = {1, 2}
                    self.allowed = sorted(self.allowed)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if 2 in self.allowed:
                        x = x + 1
                    return self.act(x)
            """,
            root="M",
        ),
    ]

    def check_class(self, cls, fctx) -> None:
        init = cls.methods.get("__init__")
        if init is None or not cls.node.bases or not init.params.params:
            return
        self_name = init.params.params[0].name.value
        assigned: Dict[str, List[Tuple[str, cst.BaseExpression, Optional[cst.BaseExpression]]]] = {}
        for mname, method in cls.methods.items():
            params = method.params.params
            if not params:
                continue
            me = params[0].name.value
            for target, value in _iter_assignments(method.body.body):
                for attr, node, val in self._targets(target, value, me):
                    assigned.setdefault(attr, []).append((mname, node, val))
        annotated = set(cls.summary.class_annotations)
        for attr, entries in assigned.items():
            if attr in annotated:
                continue
            problems = []
            for mname, node, value in entries:
                problem = self._bad_value(value, fctx) if value is not None else None
                if problem is None:
                    break
                problems.append((mname, node, problem))
            else:
                at_init = [(node, problem) for mname, node, problem in problems if mname == "__init__"]
                if not at_init:
                    continue
                node, (what, key) = at_init[0]
                fix = None
                if len(entries) == 1 and entries[0][2] is not None:
                    fix = self._fix(key, attr, entries[0][2], cls, fctx)
                fctx.report(
                    node,
                    f"`{self_name}.{attr}` holds {what}, which TorchScript cannot type, and `{{use}}` reads it "
                    f"(torch.jit.script rejects the module at that use): {_HINTS[key]}",
                    requires=(("module", cls.id), ("attr_used", cls.id, attr)), fix=fix,
                )

    # -- fixes -------------------------------------------------------------------------------------
    def _fix(self, key: str, attr: str, value: cst.BaseExpression, cls, fctx) -> Optional[FixSpec]:
        if key == "modules" and isinstance(value, (cst.List, cst.Tuple, cst.ListComp)):
            spelled = _module_list(fctx.names)
            if spelled is None:
                return None
            name, imports = spelled
            code = fctx.code_of(value)
            if isinstance(value, cst.Tuple) and not value.lpar:
                code = f"({code})"
            return FixSpec(f"Wrap the modules in `{name}(...)`", [(value, f"{name}({code})")], UNSAFE, imports)
        if key == "set" and isinstance(value, cst.Set):
            items = _literal_items(value)
            if items is None or not _only_membership(cls, attr):
                return None
            return FixSpec("Store a list of the same elements", [(value, "[" + ", ".join(items) + "]")], UNSAFE)
        if key in ("object", "mixed"):
            return _split_fix(attr, value, cls, fctx)
        if key == "lambda" and "." not in cls.name:
            qualname = f"{cls.name}.__init__"
            try:
                plan_lambda_attribute(file_source(fctx), qualname, attr)
            except NotHoistable:
                return None
            return FixSpec(f"Bind `{attr}` to a module-level `def`", (), UNSAFE, (),
                           ("hoist-lambda-attribute", (qualname, attr)))
        return None

    @staticmethod
    def _targets(target, value, self_name):
        attr = _self_attr(target, self_name)
        if attr is not None:
            yield attr, target, value
        elif isinstance(target, (cst.Tuple, cst.List)):
            for el in target.elements:
                inner = _self_attr(el.value, self_name)
                if inner is not None:
                    yield inner, el.value, None

    # -- value classification ------------------------------------------------------------------
    def _bad_value(self, value: cst.BaseExpression, fctx) -> Optional[Tuple[str, str]]:
        if isinstance(value, (cst.Set, cst.SetComp)):
            return ("a set", "set")
        if isinstance(value, cst.Lambda):
            return ("a lambda", "lambda")
        if isinstance(value, cst.IfExp):
            body = self._bad_value(value.body, fctx)
            orelse = self._bad_value(value.orelse, fctx)
            return body if body is not None and orelse is not None else None
        if isinstance(value, cst.Call):
            qual = fctx.names.resolve(dotted_name(value.func))
            what = _OBJECT_FACTORIES.get(qual) if qual else None
            if what is None:
                return None
            if qual in ("builtins.set", "builtins.frozenset"):
                return (what, "set")
            if qual == "functools.partial":
                return (what, "partial")
            if qual == "logging.getLogger":
                return (what, "logger")
            return (what, "object")
        if isinstance(value, (cst.List, cst.Tuple)):
            kinds = [self._kind(el.value, fctx) for el in value.elements if not isinstance(el, cst.StarredElement)]
            if not kinds or len(kinds) != len(value.elements):
                return None
            container = "list" if isinstance(value, cst.List) else "tuple"
            if all(k == "module" for k in kinds):
                return (f"a plain Python {container} of nn.Modules", "modules")
            if container == "list":
                mixed = self._mixed(kinds)
                if mixed:
                    return (f"a list mixing element types ({mixed})", "mixed")
            return None
        if isinstance(value, cst.ListComp):
            if self._kind(value.elt, fctx) == "module":
                return ("a plain Python list of nn.Modules", "modules")
            return None
        if isinstance(value, cst.Dict):
            keys, values = [], []
            for el in value.elements:
                if not isinstance(el, cst.DictElement):
                    return None
                keys.append(self._kind(el.key, fctx))
                values.append(self._kind(el.value, fctx))
            if not values:
                return None
            if all(k == "module" for k in values):
                return ("a plain Python dict of nn.Modules", "modules")
            mixed = self._mixed(values)
            if mixed:
                return (f"a dict mixing value types ({mixed})", "mixed")
            mixed = self._mixed(keys)
            if mixed:
                return (f"a dict mixing key types ({mixed})", "mixed")
        return None

    @staticmethod
    def _mixed(kinds: List[Optional[str]]) -> Optional[str]:
        if any(k is None for k in kinds):
            return None
        distinct = sorted({k for k in kinds if k != "None"})
        return ", ".join(distinct) if len(distinct) > 1 else None

    def _kind(self, node: cst.BaseExpression, fctx) -> Optional[str]:  # noqa: C901 - literal kinds
        if isinstance(node, cst.Integer):
            return "int"
        if isinstance(node, cst.Float):
            return "float"
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return "str"
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
            return self._kind(node.expression, fctx) if isinstance(node.expression, (cst.Integer, cst.Float)) else None
        if isinstance(node, cst.Name):
            if node.value in ("True", "False"):
                return "bool"
            if node.value == "None":
                return "None"
            return None
        if isinstance(node, (cst.List, cst.ListComp)):
            return "list"
        if isinstance(node, (cst.Dict, cst.DictComp)):
            return "dict"
        if isinstance(node, cst.Call):
            dotted = dotted_name(node.func)
            if dotted is None:
                return None
            qual = fctx.names.resolve(dotted)
            if qual in _TENSOR_FACTORIES:
                return "Tensor"
            if qual is not None and torch_api.is_module_class_name(qual):
                return "module"
            local = fctx.classes.get(dotted)
            if local is not None and local.is_module_guess:
                return "module"
        return None
