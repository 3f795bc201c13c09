from typing import List, Optional, Tuple

import libcst as cst

from ..analysis import schemas
from ..analysis.argument_kinds import argument_kind
from ..analysis.typecheck.inference import annotation_type
from ..analysis.typecheck.lattice import BOOL, FLOAT, INT, STR, TENSOR
from .base import Example, Rule

# decorators that leave a def compiled with its own signature
_PLAIN_DECORATORS = frozenset({"staticmethod", "builtins.staticmethod", "torch.jit.export"})


def _formal(t) -> str:
    """A TorchScript annotation string for kind_fits; "Any" where the analysis cannot say.

    ``float`` is widened to ``number``: an int for a float is JIT211's finding."""
    if isinstance(t, tuple) and t and t[0] == "optional":
        inner = _formal(t[1])
        return "Any" if inner == "Any" else f"Optional[{inner}]"
    if isinstance(t, tuple) and t and t[0] == "list" and len(t) == 2:
        inner = _formal(t[1])
        return "List[Any]" if inner == "Any" else f"List[{inner}]"
    return {TENSOR: "Tensor", INT: "int", FLOAT: "number", BOOL: "bool", STR: "str"}.get(t, "Any")


def _decorator_names(fn: cst.FunctionDef, ctx) -> List[str]:
    out = []
    for d in fn.decorators:
        expr = d.decorator
        if isinstance(expr, cst.Call):
            return ["<call>"]
        out.append(ctx.resolve(expr) or ctx.code_of(expr))
    return out


def _class_level_names(cls: cst.ClassDef) -> set:
    """Names a class body binds by assignment (they shadow or alias methods)."""
    out = set()
    for stmt in cls.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            targets = []
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
            elif isinstance(small, cst.AnnAssign):
                targets = [small.target]
            out.update(t.value for t in targets if isinstance(t, cst.Name))
    return out


class _Param:
    def __init__(self, name: str, formal: str, has_default: bool, kwarg_only: bool, annotated: bool):
        self.name, self.formal, self.has_default, self.kwarg_only = name, formal, has_default, kwarg_only
        # an annotation the analysis does not read (it may be a list) or a list of unread elements
        self.unsure_list = annotated and "Any" in formal


def _signature(fn: cst.FunctionDef, ctx, bound: bool) -> Optional[List[_Param]]:
    """The compiled function's parameters (the bound ``self`` dropped), or None where the def is
    not one the compiler schema-matches with its own signature (varargs, decorators...)."""
    p = fn.params
    if p.posonly_params or isinstance(p.star_arg, cst.Param) or p.star_kwarg is not None:
        return None
    if any(q.default is not None for q in p.kwonly_params):
        return None  # rejected at the def (JIT117)
    names = _decorator_names(fn, ctx)
    if any(n not in _PLAIN_DECORATORS for n in names):
        return None
    static = bool({"staticmethod", "builtins.staticmethod"} & set(names))
    params = list(p.params)
    if bound and not static:
        if not params:
            return None
        params = params[1:]
    out = []
    for q in params:
        formal = "Any" if q.annotation is None else _formal(annotation_type(q.annotation, ctx.names))
        out.append(_Param(q.name.value, formal, q.default is not None, False, q.annotation is not None))
    for q in p.kwonly_params:
        formal = "Any" if q.annotation is None else _formal(annotation_type(q.annotation, ctx.names))
        out.append(_Param(q.name.value, formal, False, True, q.annotation is not None))
    return out


def _problem(params: List[_Param], node: cst.Call, ctx) -> Optional[str]:
    """Why the call matches no schema of the def (tryMatchSchema: a last list parameter also
    collects trailing positionals), or None when it may match."""
    positional = [a for a in node.args if a.keyword is None]
    keywords = [a for a in node.args if a.keyword is not None]
    schema = schemas.Schema("user", "", tuple(
        schemas.Argument(q.name, q.formal, q.has_default, q.kwarg_only, 0) for q in params), (), False)
    if schemas.match_schema(schema, [argument_kind(a.value, ctx) for a in positional],
                            {a.keyword.value: argument_kind(a.value, ctx) for a in keywords}):
        return None
    slots = [q for q in params if not q.kwarg_only]
    if slots and slots[-1].unsure_list and len(positional) >= len(slots):
        return None  # a last parameter that may be a list may collect the trailing positionals
    if len(positional) > len(slots):
        return f"too many positional arguments ({len(positional)}; it takes at most {len(slots)})"
    by_name = {q.name: q for q in params}
    filled = {q.name for q in slots[:len(positional)]}
    for a in keywords:
        name = a.keyword.value
        if name not in by_name:
            return f"unknown keyword argument `{name}`"
        if name in filled:
            return f"argument `{name}` given twice (by position and by keyword)"
        filled.add(name)
    missing = [q.name for q in params if q.name not in filled and not q.has_default]
    if missing:
        return f"argument `{missing[0]}` not provided"
    pairs: List[Tuple[_Param, cst.Arg]] = list(zip(slots, positional)) + [
        (by_name[a.keyword.value], a) for a in keywords]
    for q, a in pairs:
        k = argument_kind(a.value, ctx)
        if not schemas.kind_fits(k, q.formal):
            return f"argument `{q.name}` expects `{q.formal}` but gets a {k}"
    return "the arguments' types fit no way of matching the parameters"


class UserCallArguments(Rule):
    """
    ## What it does
    Flags calls in compiled code to functions and methods defined in the same file whose
    arguments do not fit the ``def``: too many positional arguments, an unknown keyword, an
    argument given both by position and by keyword, a required argument not provided, or an
    argument of a certain type (a literal, an annotated parameter, a Tensor) that the
    parameter's annotation does not take (``None`` for an ``int``, a string for a Tensor).

    Functions decorated with anything but ``@staticmethod`` / ``@torch.jit.export``, and defs
    with ``*args``/``**kwargs`` (which TorchScript rejects at the def, JIT117), are not checked;
    an int passed for a ``float`` is JIT211's finding, a value for an unannotated parameter
    JIT212's.

    ## Why is this bad?
    Python raises the ``TypeError`` only when the call runs; ``torch.jit.script`` compiles every
    reached call against the callee's schema and fails the whole compile ("Expected at most 2
    arguments but found 3 positional arguments", "Keyword argument scale unknown", "Argument b
    not provided", "Expected a value of type 'int' for argument 'b' but instead found type
    'str'"), even on a path that never runs.

    ## Example
    ```python
    def scale(x: torch.Tensor, factor: float = 2.0) -> torch.Tensor:
        return x * factor

    def fn(x: torch.Tensor) -> torch.Tensor:
        return scale(x, factr=3.0)
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        return scale(x, factor=3.0)
    ```

    ## Fix safety
    No fix: which argument was meant is the author's decision.
    """

    code = "JIT151"
    name = "user-call-arguments"
    message = "the call's arguments do not fit the called function's signature"
    evidence = ()

    INVALID = [
        Example(
            """
            import torch
            def scale(x: torch.Tensor, factor: float = 2.0) -> torch.Tensor:
                return x * factor
            def fn(x: torch.Tensor) -> torch.Tensor:
                return scale(x, factr=3.0)  # MARK
            """
        ),
        Example(
            """
            import torch
            def add(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
                return a + b
            def fn(x: torch.Tensor) -> torch.Tensor:
                return add(x)  # MARK
            """
        ),
        Example(
            """
            import torch
            def add(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
                return a + b
            def fn(x: torch.Tensor) -> torch.Tensor:
                return add(x, x, x)  # MARK
            """
        ),
        Example(
            """
            import torch
            def add(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
                return a + b
            def fn(x: torch.Tensor) -> torch.Tensor:
                return add(x, a=x)  # MARK
            """
        ),
        Example(
            """
            import torch
            from torch import nn
            class M(nn.Module):
                def shift(self, x: torch.Tensor, n: int = 1) -> torch.Tensor:
                    return x + n
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.shift(x, None)  # MARK
            """,
            root="M",
        ),
        Example(
            """
            import torch
            from torch import nn
            class M(nn.Module):
                @staticmethod
                def shift(x: torch.Tensor, n: int) -> torch.Tensor:
                    return x + n
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.shift(x, "1")  # MARK
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            def scale(x: torch.Tensor, factor: float = 2.0, shift: float = 0.0) -> torch.Tensor:
                return x * factor + shift
            def fn(x: torch.Tensor) -> torch.Tensor:
                return scale(x) + scale(x, 3.0) + scale(x, shift=1.0) + scale(factor=1.0, x=x) + scale(x, True)
            """
        ),
        Example(
            """
            import torch
            from typing import Optional
            from torch import nn
            class M(nn.Module):
                def shift(self, x: torch.Tensor, n: Optional[int] = None) -> torch.Tensor:
                    return x if n is None else x + n
                @staticmethod
                def double(x: torch.Tensor) -> torch.Tensor:
                    return x * 2
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.shift(x, None) + self.shift(x, n=2) + self.double(x)
            """,
            root="M",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if any(a.star for a in node.args):
            return
        func = node.func
        target = None
        bound = False
        if isinstance(func, cst.Attribute):
            fn = ctx.function
            if not (isinstance(func.value, cst.Name) and fn is not None and fn.params
                    and func.value.value == fn.params[0].name):
                return
            facts = ctx.class_facts
            cls = fn.class_node
            if facts is None or cls is None or func.attr.value in facts.attr_types:
                return
            defs = [s for s in cls.body.body
                    if isinstance(s, cst.FunctionDef) and s.name.value == func.attr.value]
            if len(defs) != 1 or func.attr.value in _class_level_names(cls):
                return
            target, bound = defs[0], True
        elif isinstance(func, cst.Name):
            if ctx.infer is not None and func.value in ctx.infer.locals:
                return
            target = ctx.file.function_nodes.get(func.value)
            if target is None or ctx.resolve(func) != f"{ctx.file.module_name}.{func.value}":
                return
            top = [s for s in ctx.file.module.body
                   if isinstance(s, cst.FunctionDef) and s.name.value == func.value]
            if len(top) != 1:
                return
        else:
            return
        params = _signature(target, ctx, bound)
        if params is None:
            return
        problem = _problem(params, node, ctx)
        if problem is None:
            return
        ctx.report(
            node,
            f"`{ctx.code_of(func)}(...)`: {problem}; torch.jit.script compiles this call against "
            f"the def's signature and rejects it (Python would only fail when the call runs)",
        )
