from typing import Optional

import libcst as cst

from ..analysis.typecheck.certain import bindings_of, confident_type
from ..analysis.syntax import all_params
from .base import Example, Rule


def _class_of(expr: cst.BaseExpression, ctx) -> Optional[cst.ClassDef]:
    """The plain class of this file (no bases but ``object``) that ``expr`` certainly is an
    instance of: ``Ctx(...)``, a local bound only to ``Ctx(...)``, or a parameter annotated ``Ctx``."""
    name = None
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name):
        name = expr.func.value
    elif isinstance(expr, cst.Name) and ctx.function is not None:
        param = next((p for p in ctx.function.params if p.name == expr.value), None)
        if param is not None:
            ann = param.annotation.annotation if isinstance(param.annotation, cst.Annotation) else param.annotation
            if isinstance(ann, cst.Name):
                name = ann.value
        elif ctx.infer is not None and expr.value in ctx.infer.locals:
            sites = bindings_of(ctx).get(expr.value, [])
            calls = {s.func.value for s in sites if isinstance(s, cst.Call) and isinstance(s.func, cst.Name)}
            if sites and len(calls) == 1 and all(isinstance(s, cst.Call) for s in sites):
                name = calls.pop()
    if name is None:
        return None
    if ctx.infer is not None and name in ctx.infer.locals:
        return None
    binding = ctx.names.bindings.get(name)
    cls = ctx.file.class_nodes.get(name)
    if cls is None or binding is None or binding.kind != "class":
        return None
    for base in cls.bases:
        if not (isinstance(base.value, cst.Name) and base.value.value == "object") or base.keyword is not None:
            return None
    if cls.decorators and not all(ctx.resolve(d.decorator) == "torch.jit.script" for d in cls.decorators):
        return None
    return cls


def _methods(cls: cst.ClassDef):
    out = {}
    if isinstance(cls.body, cst.IndentedBlock):
        for stmt in cls.body.body:
            if isinstance(stmt, cst.FunctionDef):
                out[stmt.name.value] = stmt
    return out


def _is_any(param: cst.Param, ctx) -> bool:
    return param.annotation is not None and ctx.resolve(param.annotation.annotation) == "typing.Any"


def _problem(item: cst.WithItem, ctx) -> Optional[str]:
    expr = item.item
    t = confident_type(expr, ctx)
    if t in ("int", "float", "bool", "str", "Tensor") or (isinstance(t, tuple) and t[0] in ("list", "tuple")):
        return (f"`with {ctx.code_of(expr)}:` enters a value that is no object (its type is "
                f"{t if isinstance(t, str) else t[0]}): torch.jit.script rejects it (\"With item expression must "
                f"return an object\"); only instances of classes with `__enter__`/`__exit__` can be entered")
    cls = _class_of(expr, ctx)
    if cls is None:
        return None
    name = cls.name.value
    methods = _methods(cls)
    enter, exit_ = methods.get("__enter__"), methods.get("__exit__")
    if enter is None or exit_ is None:
        return (f"class `{name}` does not define both `__enter__` and `__exit__`, so torch.jit.script rejects "
                f"`with` on its instance (\"Object returned by with item expression does not define __enter__ "
                f"and __exit__ methods\")")
    enter_params = all_params(enter.params)
    if len(enter_params) != 1:
        return (f"`{name}.__enter__` must take only `self` in TorchScript (\"__enter__ must have only one "
                f"argument and one return value\")")
    exit_params = all_params(exit_.params)
    if len(exit_params) != 4:
        return f"`{name}.__exit__` must take four arguments (self and three) in TorchScript (\"__exit__ must have four arguments\")"
    for i, p in enumerate(exit_params[1:], start=1):
        if not _is_any(p, ctx):
            return (f"argument {i} of `{name}.__exit__` must be annotated `Any` in TorchScript (\"argument {i} of "
                    f"__exit__ must have Any type\"; an unannotated argument is a Tensor): TorchScript passes no "
                    f"exception to `__exit__`")
    return None


class ContextManagerClass(Rule):
    """
    ## What it does
    Flags ``with`` statements in compiled code on a value that is no object (an int, a str,
    a Tensor, a list...) or on an instance of a class of the file that cannot be a
    TorchScript context manager: one without both ``__enter__`` and ``__exit__``, an
    ``__enter__`` that takes more than ``self``, an ``__exit__`` that does not take exactly
    ``self`` and three arguments, or whose three arguments are not annotated ``Any``.

    ## Why is this bad?
    TorchScript enters only objects whose class (compiled as a TorchScript class) has
    ``__enter__(self)`` and ``__exit__(self, a: Any, b: Any, c: Any)``: it passes no exception
    information, so the three arguments must be ``Any``. Anything else is a compile error
    ("With item expression must return an object", "Object returned by with item expression
    does not define __enter__ and __exit__ methods", "__enter__ must have only one argument and
    one return value", "__exit__ must have four arguments", "argument 1 of __exit__ must have
    Any type"), while Python's protocol accepts an unannotated ``__exit__(self, *exc)``.
    Only instances whose class is certain are checked (``Ctx()``, a local bound to it, a
    parameter annotated with it).

    ## Example
    ```python
    class Timer(object):
        def __enter__(self):
            return self

        def __exit__(self, exc_type, exc, tb):
            pass
    ```

    ## Use instead
    ```python
    class Timer(object):
        def __enter__(self):
            return self

        def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
            pass
    ```

    ## Fix safety
    No automatic fix: the class's protocol is the author's to change.
    """

    code = "JIT153"
    name = "context-manager-class"
    message = "torch.jit.script cannot enter this object in a `with` statement"

    INVALID = [
        Example(
            """
            import torch

            class Ctx(object):
                def __init__(self):
                    self.n = 0

            def fn(x: torch.Tensor) -> torch.Tensor:
                with Ctx():  # MARK
                    x = x + 1
                return x
            """
        ),
        Example(
            """
            from typing import Any
            import torch

            class Ctx(object):
                def __init__(self):
                    self.n = 0

                def __enter__(self, extra: int) -> int:
                    return 1

                def __exit__(self, a: Any, b: Any, c: Any) -> None:
                    pass

            def fn(x: torch.Tensor) -> torch.Tensor:
                c = Ctx()
                with c:  # MARK
                    x = x + 1
                return x
            """
        ),
        Example(
            """
            from typing import Any
            import torch

            class Ctx(object):
                def __init__(self):
                    self.n = 0

                def __enter__(self) -> int:
                    return 1

                def __exit__(self, a: Any) -> None:
                    pass

            def fn(x: torch.Tensor) -> torch.Tensor:
                with Ctx():  # MARK
                    x = x + 1
                return x
            """
        ),
        Example(
            """
            import torch

            class Ctx(object):
                def __init__(self):
                    self.n = 0

                def __enter__(self) -> int:
                    return 1

                def __exit__(self, a, b, c) -> None:
                    pass

            def fn(x: torch.Tensor) -> torch.Tensor:
                with Ctx() as k:  # MARK
                    x = x + k
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                n = x.size(0)
                with n:  # MARK
                    x = x + 1
                return x
            """
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Any
            import torch

            class Ctx(object):
                def __init__(self):
                    self.n = 0

                def __enter__(self) -> int:
                    return 1

                def __exit__(self, a: Any, b: Any, c: Any) -> None:
                    pass

            def fn(x: torch.Tensor) -> torch.Tensor:
                c = Ctx()
                with c as k:
                    x = x + k
                with torch.no_grad():
                    x = x * 2
                return x
            """
        ),
    ]

    def visit_With(self, node: cst.With, ctx) -> None:
        if node.asynchronous is not None:
            return
        for item in node.items:
            problem = _problem(item, ctx)
            if problem is not None:
                ctx.report(node, problem)
                return
