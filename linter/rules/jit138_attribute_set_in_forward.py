from typing import Dict, Optional, Set, Tuple

import libcst as cst

from ..analysis.constants import class_constants
from ..analysis.names import dotted_name
from ..analysis.syntax import self_targets
from .base import Example, Rule

# Attributes every nn.Module instance has.
_MODULE_BUILTIN_ATTRS = frozenset({"training"})
_REGISTER = frozenset({"register_buffer", "register_parameter", "add_module", "register_module"})


def _small_statements(stmts):
    """Every small statement of a body, through compound statements (not nested defs)."""
    for stmt in stmts:
        if isinstance(stmt, cst.SimpleStatementLine):
            yield from stmt.body
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        else:
            for name in ("body", "orelse", "finalbody"):
                block = getattr(stmt, name, None)
                if block is None:
                    continue
                if isinstance(block, cst.If):
                    yield from _small_statements([block])
                    continue
                inner = getattr(block, "body", None)
                if isinstance(inner, cst.BaseSuite):
                    inner = inner.body
                if isinstance(inner, (list, tuple)):
                    yield from _small_statements(inner)
            for handler in getattr(stmt, "handlers", ()) or ():
                yield from _small_statements(handler.body.body)
            for case in getattr(stmt, "cases", ()) or ():
                yield from _small_statements(case.body.body)


def _literal(node) -> bool:
    return isinstance(node, cst.SimpleString)


def _init_callees(class_node: cst.ClassDef) -> Set[str]:
    """Methods ``__init__`` runs through ``self.m(...)`` calls (transitively): what they assign
    exists when the module is scripted, even if they are compiled too."""
    from ..analysis.syntax import iter_descendants

    methods = {s.name.value: s for s in class_node.body.body if isinstance(s, cst.FunctionDef) and s.params.params}
    done: Set[str] = set()
    todo = ["__init__"]
    while todo:
        name = todo.pop()
        if name in done or name not in methods:
            continue
        done.add(name)
        method = methods[name]
        me = method.params.params[0].name.value
        for node in iter_descendants(method.body):
            if (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                    and isinstance(node.func.value, cst.Name) and node.func.value.value == me):
                todo.append(node.func.attr.value)
    return done


def _cached_init_callees(class_node: cst.ClassDef, ctx) -> Set[str]:
    cache = ctx.file.__dict__.setdefault("_jit138_init_callees", {})
    found = cache.get(id(class_node))
    if found is None:
        found = cache[id(class_node)] = _init_callees(class_node)
    return found


def _class_writes(class_node: cst.ClassDef, ctx) -> Tuple[Dict[str, Set[str]], bool]:
    """attr -> methods assigning/registering it, and whether some method sets attributes
    dynamically (``setattr(self, name, ...)``, ``self.__dict__``...). Cached per file."""
    cache = ctx.file.__dict__.setdefault("_jit138_writes", {})
    key = id(class_node)
    found = cache.get(key)
    if found is not None:
        return found
    writes: Dict[str, Set[str]] = {}
    dynamic = False
    for stmt in class_node.body.body:
        if not isinstance(stmt, cst.FunctionDef) or not stmt.params.params:
            continue
        me = stmt.params.params[0].name.value
        mname = stmt.name.value
        for small in _small_statements(stmt.body.body):
            for _, attr in self_targets(small, me):
                writes.setdefault(attr, set()).add(mname)
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                call = small.value
                func = call.func
                args = call.args
                if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == me:
                    if func.attr.value in _REGISTER:
                        if args and _literal(args[0].value):
                            name = args[0].value.evaluated_value
                            if isinstance(name, str):
                                writes.setdefault(name, set()).add(mname)
                        else:
                            dynamic = True
                elif isinstance(func, cst.Name) and func.value == "setattr":
                    if args and isinstance(args[0].value, cst.Name) and args[0].value.value == me:
                        if len(args) > 1 and _literal(args[1].value):
                            name = args[1].value.evaluated_value
                            if isinstance(name, str):
                                writes.setdefault(name, set()).add(mname)
                        else:
                            dynamic = True
                if "__dict__" in (dotted_name(func) or "") or (isinstance(func, cst.Name) and func.value == "vars"):
                    dynamic = True
    found = (writes, dynamic)
    cache[key] = found
    return found


def _dataclass_fields(class_node: cst.ClassDef, ctx) -> Optional[Set[str]]:
    """The annotated class-level names (its fields) of a ``@dataclass`` class, else None."""
    for dec in class_node.decorators:
        node = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        if ctx.resolve(node) == "dataclasses.dataclass":
            break
    else:
        return None
    return {s.body[0].target.value for s in class_node.body.body
            if isinstance(s, cst.SimpleStatementLine) and isinstance(s.body[0], cst.AnnAssign)
            and isinstance(s.body[0].target, cst.Name)}


class AttributeSetInForward(Rule):
    """
    ## What it does
    Flags an assignment to ``self.x`` in a compiled method when no other method of the class
    (nor any base class) assigns ``x``, i.e. the attribute is not initialised in ``__init__``.
    Also flags annotated assignments ``self.x: T = ...`` outside ``__init__``.

    ## Why is this bad?
    TorchScript fixes a module's attributes when it compiles it, from the instance's values:
    an attribute that does not exist yet cannot be created at run time ("Tried to set
    nonexistent attribute: last. Did you forget to initialize it in __init__()?"), and
    ``self.count += 1`` on an uninitialised attribute fails with "Module 'M' has no attribute
    'count'". A class-level default (``last = None`` in the class body) does not count: the
    compiler reads instance attributes. Annotations on instance attributes are only accepted in
    ``__init__``. Mutating an attribute initialised in ``__init__`` (``self.count += 1``) is
    supported.

    ## Example
    ```python
    class M(nn.Module):
        def forward(self, x):
            self.last = x
            return x + 1
    ```

    ## Use instead
    ```python
    class M(nn.Module):
        last: Optional[torch.Tensor]

        def __init__(self):
            super().__init__()
            self.last = None

        def forward(self, x):
            self.last = x
            return x + 1
    ```

    ## Fix safety
    ``self.x: T = v`` in a method, for an attribute ``__init__`` sets, becomes ``self.x = v``:
    safe, Python evaluates the annotation of an attribute target and stores nothing for it
    (only a name that raises, or has effects when evaluated, would differ: annotations are
    names and subscripts of types). Attributes first set outside ``__init__`` have no fix: the
    initial value and its type have to be chosen.
    """

    code = "JIT138"
    name = "attribute-set-in-forward"
    fix_safety = "safe"
    message = "attribute assigned in compiled code but not initialised in __init__"
    evidence = ("s413", "s412")

    INVALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    self.last = x  # MARK
                    return x + 1
            """,
            root="M",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                count = 0

                def __init__(self):
                    super().__init__()
                    self.scale = 2

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    self.count += 1  # MARK
                    return x * self.scale + self.count
            """,
            root="M",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.last = torch.zeros(3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    self.last: torch.Tensor = x  # MARK
                    return x + 1
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            from dataclasses import dataclass
            import torch

            @torch.jit.script
            @dataclass
            class Cfg:
                n: int
                m: int = 0

                def __post_init__(self):
                    self.m = self.n * 2

                def bump(self):
                    self.m = self.m + self.n

            def fn(x: torch.Tensor) -> torch.Tensor:
                c = Cfg(2)
                c.bump()
                return x * c.m
            """
        ),
        Example(
            """
            from typing import Optional
            import torch

            class M(torch.nn.Module):
                last: Optional[torch.Tensor]

                def __init__(self):
                    super().__init__()
                    self.last = None
                    self.count = 0
                    self.register_buffer("total", torch.zeros(3))

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    self.last = x
                    self.count += 1
                    self.total = self.total + x
                    self.training = False
                    return x + self.count
            """,
            root="M",
        ),
        Example(
            """
            import torch

            class Base(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.reset()

                def reset(self):
                    self.last = torch.zeros(3)

            class M(Base):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    self.last = x
                    return x + 1
            """,
            root="M",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.make_weights(2)

                def make_weights(self, n: int):
                    self.weights = torch.ones(n)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if x.size(0) > self.weights.size(0):
                        self.make_weights(x.size(0))
                    return x + self.weights[: x.size(0)]
            """,
            root="M",
        ),
    ]

    def visit_Assign(self, node, ctx) -> None:
        self._check(node, ctx)

    def visit_AugAssign(self, node, ctx) -> None:
        self._check(node, ctx)

    def visit_AnnAssign(self, node, ctx) -> None:
        self._check(node, ctx)

    def _check(self, node, ctx) -> None:
        fn = ctx.function
        if fn is None or fn.class_node is None or not fn.is_method or not fn.params or fn.name == "__init__":
            return
        self_name = fn.params[0].name
        targets = list(self_targets(node, self_name))
        if not targets:
            return
        class_id = fn.id.rsplit(".", 1)[0]
        if isinstance(node, cst.AnnAssign):
            target, attr = targets[0]
            fix = None
            if node.value is not None and isinstance(ctx.parent, cst.SimpleStatementLine) \
                    and "__init__" in _class_writes(fn.class_node, ctx)[0].get(attr, set()):
                # set in __init__ already: the annotation here only has to go
                fix = ctx.safe_fix("Drop the annotation (the attribute is set in `__init__`)",
                                   [(node, f"{ctx.code_of(node.target)} = {ctx.code_of(node.value)}")])
            ctx.report(node, f"annotated assignment `{self_name}.{attr}: ...` in `{fn.name}`: TorchScript only "
                             f"accepts annotations on instance attributes in `__init__` (or declare `{attr}: T` in "
                             f"the class body)", fix=fix)
            return
        fields = _dataclass_fields(fn.class_node, ctx)
        if fields is not None and fn.name == "__post_init__":
            return  # the dataclass's generated __init__ runs __post_init__: what it assigns exists
        constants = class_constants(fn.class_node, ctx) | (fields or set())
        writes, dynamic = _class_writes(fn.class_node, ctx)
        if dynamic:
            return
        for target, attr in targets:
            if attr in _MODULE_BUILTIN_ATTRS or attr in constants:
                continue
            if writes.get(attr, set()) - {fn.name}:
                continue
            if fn.name in _cached_init_callees(fn.class_node, ctx):
                continue  # runs in __init__ too, so the attribute exists when scripting
            if _is_method(fn.class_node, attr):
                continue
            verb = "updated" if isinstance(node, cst.AugAssign) else "assigned"
            ctx.report(target, f"`{self_name}.{attr}` is {verb} in `{fn.name}` but never initialised in `__init__`: "
                               f"TorchScript cannot create attributes at run time (\"Tried to set nonexistent "
                               f"attribute\"); initialise it in `__init__` (with a class-level annotation if it "
                               f"starts as None)",
                       requires=(("attr_undefined_in_bases", class_id, attr),))


def _is_method(class_node: cst.ClassDef, name: str) -> bool:
    return any(isinstance(s, cst.FunctionDef) and s.name.value == name for s in class_node.body.body)
