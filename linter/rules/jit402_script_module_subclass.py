from typing import Dict, List, Optional, Tuple

import libcst as cst

from ..analysis.context import FixSpec
from ..analysis.names import dotted_name
from ..finding import UNSAFE
from .base import FILE, Example, Rule

_SCRIPT_METHOD = frozenset({"torch.jit.script_method", "torch.jit._script.script_method"})
_SCRIPT_MODULE = frozenset({"torch.jit.ScriptModule", "torch.jit._script.ScriptModule"})
_FINAL = frozenset({"typing.Final", "typing_extensions.Final", "torch.jit.Final"})
_LITERAL_ANNOTATIONS = ("int", "float", "bool", "str")


def _spellable(names, qual: str) -> bool:
    """Can this file write ``qual`` with its own imports (``nn.Module``, ``torch.nn.Module``)?"""
    return any(b.kind == "import" and (qual == b.target or qual.startswith(b.target + "."))
               for b in names.bindings.values())


def _literal_type(node: cst.BaseExpression, params: Dict[str, Optional[str]]) -> Optional[str]:
    # the same literal types as the codemod (codemods/deprecated_api.py) reads
    if isinstance(node, (cst.Integer, cst.Float)):
        return type(node).__name__
    if isinstance(node, cst.Name):
        return "bool" if node.value in ("True", "False") else params.get(node.value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        return type(node.expression).__name__ if isinstance(node.expression, (cst.Integer, cst.Float)) else None
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        return "str" if isinstance(node.evaluated_value, str) else None
    if isinstance(node, cst.Tuple) and node.elements:
        parts = [_literal_type(el.value, params) if isinstance(el, cst.Element) else None for el in node.elements]
        return None if None in parts else f"tuple[{', '.join(parts)}]"
    return None


def _constants_known(cls: cst.ClassDef, module: cst.Module) -> Tuple[bool, bool]:
    """(convert, needs ``Final``): does the class list ``__constants__`` whose types its
    annotations or ``__init__``'s literal assignments say? Then the fix turns them into ``Final``
    annotations; otherwise ``__constants__`` stays."""
    if not isinstance(cls.body, cst.IndentedBlock) or "__constants__" not in module.code_for_node(cls.body):
        return False, False
    uses = 0
    for node in _walk(module):
        if (isinstance(node, cst.Name) and node.value == "__constants__") or (
                isinstance(node, cst.Attribute) and node.attr.value == "__constants__"):
            uses += 1
        elif isinstance(node, cst.ClassDef) and isinstance(node.body, cst.IndentedBlock):
            for stmt in node.body.body:  # a class's own ``__constants__ = [...]`` is not a use
                for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
                    if isinstance(small, cst.Assign):
                        uses -= sum(1 for t in small.targets
                                    if isinstance(t.target, cst.Name) and t.target.value == "__constants__")
    if uses != 0:
        return False, False  # read or written elsewhere: the codemod keeps it
    constants: List[str] = []
    found = False
    annotated = set()
    methods = [s for s in cls.body.body if isinstance(s, cst.FunctionDef)]
    for stmt in cls.body.body:
        for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                annotated.add(small.target.value)
            if (isinstance(small, cst.Assign) and len(small.targets) == 1 and len(stmt.body) == 1
                    and isinstance(small.targets[0].target, cst.Name)
                    and small.targets[0].target.value == "__constants__"
                    and isinstance(small.value, (cst.List, cst.Tuple, cst.Set))):
                found = True
                for el in small.value.elements:
                    value = el.value.evaluated_value if isinstance(el.value, cst.SimpleString) else None
                    if not isinstance(value, str) or not value.isidentifier():
                        return False, False
                    constants.append(value)
    # an annotated constant keeps its annotation's type (``k: int`` -> ``k: Final[int]``)
    if not found:
        return False, False
    needs_final = bool(constants)
    constants = [name for name in constants if name not in annotated]
    init = next((fn for fn in methods if fn.name.value == "__init__"), None)
    if not constants:
        return True, needs_final
    if init is None:
        return False, False
    p = init.params
    params = {}
    for param in (*p.posonly_params, *p.params, *p.kwonly_params):
        ann = param.annotation.annotation if param.annotation is not None else None
        literal = isinstance(ann, cst.Name) and ann.value in _LITERAL_ANNOTATIONS
        params[param.name.value] = ann.value if literal else None
    types: Dict[str, set] = {name: set() for name in constants}
    for fn in methods:
        first = fn.params.posonly_params or fn.params.params
        me = first[0].name.value if first else None
        for node in _walk(fn.body):
            if isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.Assign, cst.For, cst.With)):
                targets = ([t.target for t in node.targets] if isinstance(node, cst.Assign)
                           else [node.target] if not isinstance(node, cst.With)
                           else [i.asname.name for i in node.items if i.asname is not None])
                for target in targets:
                    for sub in _walk(target):
                        if (isinstance(sub, cst.Attribute) and isinstance(sub.value, cst.Name)
                                and sub.value.value == me and sub.attr.value in types):
                            ok = (fn is init and isinstance(node, cst.Assign) and len(node.targets) == 1
                                  and node.targets[0].target is sub)
                            types[sub.attr.value].add(_literal_type(node.value, params) if ok else None)
    known = all(len(found) == 1 and None not in found for found in types.values())
    return known, known


def _walk(node: cst.CSTNode):
    yield node
    for child in node.children:
        yield from _walk(child)


class ScriptModuleSubclass(Rule):
    """
    ## What it does
    Flags ``@torch.jit.script_method``, the decorator of the legacy ``torch.jit.ScriptModule``
    subclassing API (``class M(torch.jit.ScriptModule)`` with compiled methods).

    ## Why is this bad?
    The legacy API still compiles in torch 2.13, but ``script_method`` is deprecated: the
    decorator emits a ``DeprecationWarning`` when the class body runs (at import), and the whole
    TorchScript API is slated for removal. An ``nn.Module`` compiled with ``torch.jit.script(M())``
    behaves the same, and can move to ``torch.compile``/``torch.export`` later.

    ## Example
    ```python
    class M(torch.jit.ScriptModule):
        @torch.jit.script_method
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * 2
    ```

    ## Use instead
    ```python
    class M(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * 2

    scripted = torch.jit.script(M())  # or torch.export / torch.compile
    ```

    ## Fix safety
    Unsafe (applied with ``--unsafe-fixes``): the codemod ``script-module-to-module`` rewrites the
    whole class as an ``nn.Module`` (``nn.Module``/``torch.nn.Module`` as the file spells it), drops
    ``@script_method`` from ``forward`` and turns it into ``@torch.jit.export`` on other methods (so
    that ``torch.jit.script(M())`` compiles the same methods), turns ``self.x =
    torch.jit.Attribute(v, T)`` into ``self.x = v`` with a class annotation ``x: T``, and
    ``x = torch.jit.annotate(T, v)`` statements of its methods into ``x: T = v``. ``__constants__``
    becomes ``Final[...]`` annotations when the type of each constant is known: the class body
    annotates it (``k: int`` becomes ``k: Final[int]``) or ``__init__`` sets it to a literal (or to
    a parameter annotated ``int``/``float``/``bool``/``str``); otherwise it stays (``nn.Module``
    honours it too). Eager results do not change, and scripting the new module compiles the same
    methods with the same types.

    What changes is what ``M()`` returns: a ``ScriptModule`` subclass is compiled when it is
    built, an ``nn.Module`` is not. Callers that rely on the instance being scripted (saving it
    with ``torch.jit.save``/``.save``, reading ``.graph``/``.code``, passing it where a
    ``ScriptModule`` is expected, compile errors raised at construction) must now compile it
    with ``torch.jit.script(M())``, and jitlint does not see callers in other files. No fix is
    offered for a class that is not a direct ``ScriptModule`` subclass; the codemod leaves the
    class unchanged (the finding stays) when the class has a metaclass, is subclassed in the
    same file, uses ScriptModule-only API on ``self`` (``define``, ``graph``, ``code``,
    ``save``...), compiles a special method (``__getstate__``/``__setstate__``: an eager module
    with them pickles differently), or uses ``script_method``/``torch.jit.Attribute`` in another
    form.
    """

    code = "JIT402"
    name = "script-module-subclass"
    message = "`@torch.jit.script_method` (ScriptModule subclassing) is deprecated"
    mode = FILE
    fix_safety = "unsafe"
    evidence = ("s431",)

    INVALID = [
        Example(
            """
            import torch

            def run():
                class M(torch.jit.ScriptModule):
                    def __init__(self):
                        super().__init__()

                    @torch.jit.script_method  # MARK
                    def forward(self, x: torch.Tensor) -> torch.Tensor:
                        return x * 2
                return M()
            """,
            root="run", expect="warns",
        ),
        Example(
            """
            import torch
            from torch.jit import ScriptModule, script_method

            def run():
                class M(ScriptModule):
                    @script_method  # MARK
                    def forward(self, x: torch.Tensor) -> torch.Tensor:
                        return x + 1
                return M()
            """,
            root="run", expect="warns",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.k = 2

                @torch.jit.export
                def scale(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.k

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.scale(x)

            def run():
                return M()(torch.ones(2))
            """,
            root="run", expect="warns",
        ),
        Example(
            """
            import torch

            class Legacy(torch.jit.ScriptModule):
                def __init__(self):
                    super().__init__()
                    self.k = 2

            def run():
                return Legacy().k
            """,
            root="run", expect="warns",
        ),
    ]

    def _check(self, decorators, names, report, fix=None) -> None:
        for dec in decorators:
            node = dec.decorator
            if isinstance(node, cst.Call):
                node = node.func
            if names.resolve(dotted_name(node)) in _SCRIPT_METHOD:
                report(dec, "`@torch.jit.script_method` is deprecated since torch 2.11 (a DeprecationWarning when "
                            "the class is defined): subclass `nn.Module`, drop the decorator and compile the "
                            "instance (`torch.jit.script(M())`), or move to `torch.compile`/`torch.export`",
                       fix=fix() if fix is not None else None)

    def _fix(self, cls: cst.ClassDef, qualname: str, names, module: cst.Module, scratch: dict) -> Optional[FixSpec]:
        """The class rewritten as an ``nn.Module`` (codemod ``script-module-to-module``); one
        per class, shared by its decorators' findings."""
        cache = scratch.setdefault(self.code, {})
        if id(cls) not in cache:
            cache[id(cls)] = self._class_fix(cls, qualname, names, module)
        return cache[id(cls)]

    def _class_fix(self, cls: cst.ClassDef, qualname: str, names, module: cst.Module) -> Optional[FixSpec]:
        if not any(names.resolve(dotted_name(b.value)) in _SCRIPT_MODULE for b in cls.bases):
            return None  # not a direct ScriptModule subclass: the codemod leaves it alone
        imports: List[Tuple[str, Optional[str]]] = []
        exported = any(
            fn.name.value != "forward" and any(names.resolve(dotted_name(d.decorator)) in _SCRIPT_METHOD
                                               for d in fn.decorators)
            for fn in (cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ())
            if isinstance(fn, cst.FunctionDef))
        if not _spellable(names, "torch.nn.Module") or (exported and not _spellable(names, "torch.jit.export")):
            imports.append(("torch", None))
        constants, needs_final = _constants_known(cls, module)
        if needs_final and not _spellable(names, "typing.Final") and not any(
                b.kind == "import" and b.target in _FINAL for b in names.bindings.values()):
            imports.append(("typing", "Final"))
        message = f"Rewrite `{qualname}` as an `nn.Module` (compile it with `torch.jit.script({cls.name.value}())`)"
        return FixSpec(message, (), UNSAFE, tuple(imports), ("script-module-to-module", (qualname, constants)))

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx) -> None:
        fix = None
        parents = ctx.parents
        if parents and isinstance(parents[-1], cst.ClassDef):  # a method of a class nested in a function
            path = [ctx.function.qualname] if ctx.function is not None else []
            path += [p.name.value for p in parents if isinstance(p, (cst.FunctionDef, cst.ClassDef))]
            cls, qualname = parents[-1], ".".join(path)
            fix = lambda: self._fix(cls, qualname, ctx.names, ctx.file.module, ctx.file.scratch)  # noqa: E731
        self._check(node.decorators, ctx.names, ctx.report, fix)

    def check_class(self, cls, fctx) -> None:
        def fix():
            return self._fix(cls.node, cls.name, fctx.names, fctx.module, fctx.scratch)

        for method in cls.node.body.body:
            if isinstance(method, cst.FunctionDef):
                self._check(method.decorators, fctx.names, fctx.report, fix)
