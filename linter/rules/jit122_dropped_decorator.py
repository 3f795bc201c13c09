
import libcst as cst

from .base import Example, Rule

# Decorators TorchScript understands (or that only mark the function, changing nothing).
_UNDERSTOOD = frozenset({
    "builtins.staticmethod", "builtins.classmethod", "builtins.property",
    "typing.overload", "typing_extensions.overload",
    "abc.abstractmethod", "typing.final", "typing_extensions.final", "typing.override",
    "typing_extensions.override", "typing.no_type_check",
    "torch.compile",  # compiles the same function: dropping it keeps the results
})
# (torch.fx.wrap and the FX compatibility markers register the function and return it unchanged.)
_UNDERSTOOD_PREFIXES = ("torch.jit.", "torch._jit_internal.", "torch.compiler.", "torch._dynamo.", "torch.fx.")
# Pure caches: dropping them changes speed, not results.
_CACHES = frozenset({"functools.lru_cache", "functools.cache"})
_GRAD = frozenset({"no_grad", "enable_grad", "inference_mode", "set_grad_enabled"})
_AUTOCAST = frozenset({"autocast", "custom_fwd", "custom_bwd"})


class DroppedDecorator(Rule):
    """
    ## What it does
    Flags decorators on compiled functions and methods that TorchScript does not understand:
    anything but the ``torch.jit.*`` decorators, ``staticmethod``, ``classmethod``,
    ``property`` (and its setters), ``typing.overload`` and pure markers such as
    ``abc.abstractmethod``. ``@torch.no_grad()``, ``@torch.inference_mode()``,
    ``@torch.autocast(...)`` and user decorators are the usual cases.

    ## Why is this bad?
    ``torch.jit.script`` compiles the source of the *undecorated* function (it follows
    ``__wrapped__``) and silently drops the decorator: a ``@torch.no_grad()`` ``forward`` returns
    outputs that require grad once scripted, an autocast region runs in full precision, and a
    ``functools.wraps`` wrapper's extra work (scaling, logging, caching of results...) vanishes.
    A ``*args`` wrapper without ``functools.wraps`` is compiled instead and rejected. A decorator
    defined in the project is flagged only when its source shows such a wrapper; registries that
    return the function unchanged, fixed-signature wrappers without ``functools.wraps`` (compiled
    as is) and decorators jitlint cannot classify are not. Decorators imported from outside the
    project cannot be read and are flagged.

    ## Example
    ```python
    class M(nn.Module):
        @torch.no_grad()
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * 2
    ```

    ## Use instead
    Put the context manager inside the body (``with torch.no_grad():`` and
    ``with torch.autocast(...):`` compile), and apply other decorators only outside TorchScript:
    ```python
    class M(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            with torch.no_grad():
                return x * 2
    ```

    ## Fix safety
    For ``@torch.no_grad()`` and ``@torch.autocast(...)`` the fix removes the decorator and wraps
    the body (after the docstring) in the same context manager: eager behaviour is unchanged, so
    it is safe. For ``@torch.inference_mode()`` the fix uses ``with torch.no_grad():`` (TorchScript
    has no inference mode); it is unsafe because eager code then creates normal instead of
    inference tensors. Other decorators get no fix.
    """

    code = "JIT122"
    name = "dropped-decorator"
    message = "this decorator is silently dropped by torch.jit.script"
    fix_safety = "safe"
    evidence = ("s116", "s117")

    INVALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                @torch.no_grad()  # MARK
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x * 2
            """,
            root="M",
            inputs="[(torch.ones(2, requires_grad=True),)]",
            expect="diverge",
        ),
        Example(
            """
            import functools
            import torch

            def logged(f):
                @functools.wraps(f)
                def wrapper(*args, **kwargs):
                    return f(*args, **kwargs) * 10
                return wrapper

            @logged  # MARK
            def helper(x: torch.Tensor) -> torch.Tensor:
                return x * 2

            def fn(x: torch.Tensor) -> torch.Tensor:
                return helper(x)
            """,
            expect="diverge",
        ),
        Example(
            """
            import torch

            def twice(f):
                def wrapper(*args):
                    return f(f(*args))
                return wrapper

            @twice  # MARK
            def helper(x: torch.Tensor) -> torch.Tensor:
                return x + 1

            def fn(x: torch.Tensor) -> torch.Tensor:
                return helper(x)
            """,
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                @torch.autocast("cpu", dtype=torch.bfloat16)  # MARK
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x @ x
            """,
            root="M",
            inputs="[(torch.ones(2, 2),)]",
            expect="diverge",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    with torch.no_grad():
                        return x * 2
            """,
            root="M",
            inputs="[(torch.ones(2, requires_grad=True),)]",
        ),
        Example(
            """
            import abc
            import torch

            REGISTRY = {}

            def register(f):
                REGISTRY[f.__name__] = f
                return f

            def _identity(f):
                return f

            maybe_disable = getattr(torch.compiler, "disable", None) or _identity

            @register
            def helper(x: torch.Tensor) -> torch.Tensor:
                return x * 2

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.scale(helper(x)) + self.offset

                @torch.jit.export
                def scale(self, x: torch.Tensor) -> torch.Tensor:
                    return x * 3

                @property
                @maybe_disable
                def offset(self) -> float:
                    return 1.0

                @staticmethod
                @torch.jit.ignore
                def unused_python(x: torch.Tensor) -> torch.Tensor:
                    return x
            """,
            root="M",
        ),
        Example(
            """
            import torch

            def twice(f):
                def wrapper(x: torch.Tensor) -> torch.Tensor:
                    return f(f(x))
                return wrapper

            @twice
            def helper(x: torch.Tensor) -> torch.Tensor:
                return x + 1

            def fn(x: torch.Tensor) -> torch.Tensor:
                return helper(x)
            """,
        ),
    ]

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        if not fn.decorators:
            return
        names = ctx.function.decorators
        for dec, name in zip(fn.decorators, names):
            self._check(fn, dec, name, ctx)

    def _check(self, fn: cst.FunctionDef, dec: cst.Decorator, name: str, ctx) -> None:
        if (name in _UNDERSTOOD or name.startswith(_UNDERSTOOD_PREFIXES) or name in _CACHES
                or name.endswith((".setter", ".getter", ".deleter"))):
            return
        shown = ctx.code_of(dec.decorator)
        last = name.rsplit(".", 1)[-1]
        if name.startswith("torch.") and last in _GRAD:
            self._report_grad(fn, dec, shown, last, ctx)
            return
        if name.startswith("torch.") and last in _AUTOCAST:
            fix = None
            if last == "autocast":
                with_item = shown if isinstance(dec.decorator, cst.Call) else shown + "()"
                fix = _wrap_body_fix(fn, dec, with_item, ctx, safe=True)
            what = "mixed precision" if last == "autocast" else "the autocast casting"
            ctx.report(dec, f"`@{shown}` is dropped by torch.jit.script: the compiled function runs without "
                            f"{what}; use `with torch.autocast(...):` inside the body", fix=fix)
            return
        head = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        while isinstance(head, cst.Attribute):
            head = head.value
        if isinstance(head, cst.Name) and ctx.names.value_kind(head.value) is not None:
            return  # a module-level alias (`deco = getattr(...) or other`): what it holds is unknown
        requires = ()
        if name != "<expr>" and not name.startswith("torch."):
            # Project decorators that return the function unchanged, or a plain wrapper (compiled
            # as is), drop nothing: the project step checks what the decorator's source does.
            requires = (("decorator_drops", name, isinstance(dec.decorator, cst.Call)),)
        ctx.report(dec, f"decorator `@{shown}` is not compiled by torch.jit.script: with functools.wraps the "
                        "undecorated function is compiled and what the decorator adds is silently lost; a "
                        "`*args` wrapper without it is rejected", requires=requires)

    def _report_grad(self, fn, dec, shown: str, last: str, ctx) -> None:
        call = dec.decorator if isinstance(dec.decorator, cst.Call) else None
        fix = None
        if last == "no_grad":
            with_item = shown if call is not None else shown + "()"
            fix = _wrap_body_fix(fn, dec, with_item, ctx, safe=True)
            lost = "gradients are recorded (outputs require grad)"
        elif last == "inference_mode":
            func = call.func if call is not None else dec.decorator
            if (call is None or not call.args) and isinstance(func, (cst.Attribute, cst.Name)):
                head = ctx.code_of(func)[: -len("inference_mode")]
                fix = _wrap_body_fix(fn, dec, head + "no_grad()", ctx, safe=False)
            lost = "gradients are recorded (outputs require grad)"
        elif last == "enable_grad":
            lost = "the grad mode of the caller applies (TorchScript cannot enable grad inside a function)"
        else:
            lost = "the grad mode of the caller applies"
        hint = ("; use `with torch.no_grad():` inside the body" if last in ("no_grad", "inference_mode")
                else "")
        ctx.report(dec, f"`@{shown}` is dropped by torch.jit.script: in the compiled function {lost}{hint}",
                   fix=fix)


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _wrap_body_fix(fn: cst.FunctionDef, dec: cst.Decorator, with_item: str, ctx, safe: bool):
    """Remove ``dec`` and wrap the body (after a docstring) in ``with <with_item>:``.

    The new function is generated in place in the module (so indentation is right) and the
    fix replaces the lines that changed.
    """
    body = fn.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    stmts = list(body.body)
    doc = stmts[:1] if stmts and _is_docstring(stmts[0]) else []
    rest = stmts[len(doc):]
    if not rest:
        return None
    try:
        item = cst.parse_expression(with_item)
    except Exception:  # noqa: BLE001 - not an expression
        return None
    with_stmt = cst.With(items=[cst.WithItem(item=item)], body=cst.IndentedBlock(body=rest))
    decorators = list(fn.decorators)
    i = next(k for k, d in enumerate(decorators) if d is dec)
    del decorators[i]
    leading = list(dec.leading_lines)
    changes = {"decorators": decorators, "body": body.with_changes(body=doc + [with_stmt])}
    if leading:  # keep comments/blank lines written above the removed decorator
        if i < len(decorators):
            decorators[i] = decorators[i].with_changes(leading_lines=leading + list(decorators[i].leading_lines))
        elif decorators:
            changes["lines_after_decorators"] = leading + list(fn.lines_after_decorators)
        else:
            changes["leading_lines"] = list(fn.leading_lines) + leading
    # Regenerate only the top-level statement holding the function (top-level statements start
    # at column 0, so their code is exactly their source text) and replace the lines that changed.
    module = ctx.file.module
    source = ctx.file.source
    top = ctx.function.class_node if ctx.function.class_node is not None else fn
    new_fn = fn.with_changes(**changes)
    new_top = new_fn if top is fn else top.deep_replace(fn, new_fn)
    old_text = module.code_for_node(top)
    start = source.find(old_text)
    if start < 0 or (start and source[start - 1] != "\n") or source.find(old_text, start + 1) >= 0:
        return None
    base = source.count("\n", 0, start)
    old = old_text.splitlines(keepends=True)
    new = module.code_for_node(new_top).splitlines(keepends=True)
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < min(len(old), len(new)) - prefix
           and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]):
        suffix += 1
    if not old or not old[-1].endswith("\n"):
        return None
    span = (base + prefix + 1, 0, base + len(old) - suffix + 1, 0)
    fixer = ctx.safe_fix if safe else ctx.unsafe_fix
    return fixer(f"Replace the decorator by `with {with_item}:` around the body",
                 [(span, "".join(new[prefix:len(new) - suffix]))])
