import libcst as cst

from ..analysis.syntax import iter_descendants
from .base import Example, Rule


class UnsupportedSignature(Rule):
    """
    ## What it does
    Flags signatures of compiled functions and methods (``forward`` included) that TorchScript
    cannot express: ``*args``, ``**kwargs``, keyword-only parameters with a default
    (``def f(x, *, k=1.0)``) and positional-only parameters (``def f(x, /, k)``).

    ## Why is this bad?
    ``torch.jit.script`` rejects variadic parameters and keyword-only parameters with defaults
    ("Compiled functions can't take variable number of arguments or use keyword-only arguments
    with defaults"), also in ``nn.Module.forward``. Positional-only parameters are silently
    dropped by the frontend: their first use fails with a misleading "undefined value x", or,
    when the body does not read them, the compiled signature loses them and every call fails
    with "expected at most N argument(s)". The error comes from the frontend, so an
    ``is_scripting()`` guard inside the body does not help. Keyword-only parameters *without*
    a default (``def f(x, *, k: float)``) are supported.

    ## Example
    ```python
    def fn(x: torch.Tensor, *args: torch.Tensor) -> torch.Tensor:
        for a in args:
            x = x + a
        return x

    def scale(x: torch.Tensor, *, k: float = 2.0) -> torch.Tensor:
        return x * k
    ```

    ## Use instead
    Pass a ``List[torch.Tensor]`` (or a fixed-arity tuple) instead of ``*args``, explicit
    annotated parameters instead of ``**kwargs``, and drop the bare ``*`` or the ``/``:
    ```python
    def fn(x: torch.Tensor, args: List[torch.Tensor]) -> torch.Tensor:
        for a in args:
            x = x + a
        return x

    def scale(x: torch.Tensor, k: float = 2.0) -> torch.Tensor:
        return x * k
    ```

    ## Fix safety
    Removing the ``/`` marker is a safe fix: positional callers are unaffected and keyword calls
    merely become legal. Removing the bare ``*`` in front of keyword-only parameters is offered
    when every one of them has a default (so the signature stays valid) and there is no
    ``*args``; it is safe because existing callers already pass those parameters by keyword.
    A ``**kwargs`` the body never reads is removed: unsafe, calls that passed extra keywords
    (ignored before) now raise ``TypeError``. Other ``*args``/``**kwargs`` need the call sites
    changed and get no fix.
    """

    code = "JIT117"
    name = "unsupported-signature"
    message = "this signature is not supported by torch.jit.script"
    frontend = True
    fix_safety = "safe or unsafe (see Fix safety)"
    evidence = ("s101", "s102", "s107", "s115", "s438")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, *args: torch.Tensor) -> torch.Tensor:  # MARK
                for a in args:
                    x = x + a
                return x
            """,
            inputs="[(torch.ones(3), torch.ones(3))]",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor, **kwargs) -> torch.Tensor:  # MARK
                    return x * 2
            """,
            root="M",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, *, k: float = 2.0) -> torch.Tensor:  # MARK
                return x * k
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, /, k: float) -> torch.Tensor:  # MARK
                return x * k
            """,
            inputs="[(torch.ones(3), 2.0)]",
        ),
        Example(
            """
            import torch

            def scale(x: torch.Tensor, /, k: float) -> float:  # MARK
                return k

            def fn(x: torch.Tensor) -> float:
                return scale(x, 2.0)
            """,
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def scale(x: torch.Tensor, *, k: float) -> torch.Tensor:
                return x * k

            def fn(x: torch.Tensor) -> torch.Tensor:
                return scale(x, k=2.0)
            """,
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor, args: List[torch.Tensor], k: float = 2.0) -> torch.Tensor:
                for a in args:
                    x = x + a
                return x * k
            """,
            inputs="[(torch.ones(3), [torch.ones(3)])]",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if not torch.jit.is_scripting():
                        self.log(x, "forward")
                    return x * 2

                @torch.jit.unused
                def log(self, x: torch.Tensor, *tags: str, **extra: str) -> None:
                    print(x.shape, *tags, **extra)
            """,
            root="M",
        ),
    ]

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        params = fn.params
        star = params.star_arg
        if isinstance(star, cst.Param):
            ctx.report(star, f"`*{star.name.value}` (variadic positional parameter) is not supported by "
                             "torch.jit.script: take a List[...] or a fixed-arity Tuple[...] instead")
        if params.star_kwarg is not None:
            ctx.report(params.star_kwarg, f"`**{params.star_kwarg.name.value}` (variadic keyword parameter) is not "
                                          "supported by torch.jit.script: declare explicit annotated parameters",
                       fix=_unused_kwargs_fix(fn, ctx))
        with_default = [p for p in params.kwonly_params if p.default is not None]
        if with_default:
            names = ", ".join(f"`{p.name.value}`" for p in with_default)
            fix = None
            if isinstance(star, cst.ParamStar) and _can_drop_star(params):
                fix = ctx.safe_fix("Remove the bare `*` (the parameters become positional-or-keyword)",
                                   [(star, "")])
            plural = len(with_default) > 1
            ctx.report(with_default[0],
                       f"keyword-only parameter{'s' if plural else ''} {names} with a default "
                       f"{'are' if plural else 'is'} not supported by torch.jit.script (keyword-only parameters "
                       "without a default are)", fix=fix)
        if params.posonly_params:
            names = ", ".join(f"`{p.name.value}`" for p in params.posonly_params)
            slash = params.posonly_ind
            node = slash if isinstance(slash, cst.ParamSlash) else params.posonly_params[0]
            fix = ctx.safe_fix("Remove the `/` marker", [(slash, "")]) if isinstance(slash, cst.ParamSlash) else None
            plural = len(params.posonly_params) > 1
            ctx.report(node, f"positional-only parameter{'s' if plural else ''} {names} (before `/`) "
                             f"{'are' if plural else 'is'} dropped by torch.jit.script's frontend: uses fail with "
                             "'undefined value' and calls with 'expected at most N argument(s)'", fix=fix)


def _can_drop_star(params: cst.Parameters) -> bool:
    """Whether removing the bare ``*`` leaves a valid signature (no required after optional)."""
    seen_default = False
    for p in list(params.posonly_params) + list(params.params) + list(params.kwonly_params):
        if p.default is not None:
            seen_default = True
        elif seen_default:
            return False
    return True


def _unused_kwargs_fix(fn: cst.FunctionDef, ctx):
    """``def f(x, **kwargs)`` whose body never names ``kwargs`` -> ``def f(x)``."""
    params = fn.params
    kw = params.star_kwarg
    if kw is None or "\n" in ctx.code_of(params):
        return None  # (a multi-line signature keeps its layout: no fix)
    name = kw.name.value
    if any(isinstance(n, cst.Name) and n.value == name for n in iter_descendants(fn.body)):
        return None
    new = params.with_changes(star_kwarg=None)
    # the comma after what is now the last parameter goes (kw-only, *args, plain, positional-only)
    if new.kwonly_params:
        items = list(new.kwonly_params)
        items[-1] = items[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        new = new.with_changes(kwonly_params=items)
    elif isinstance(new.star_arg, cst.Param):
        new = new.with_changes(star_arg=new.star_arg.with_changes(comma=cst.MaybeSentinel.DEFAULT))
    elif new.params:
        items = list(new.params)
        items[-1] = items[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        new = new.with_changes(params=items)
    elif new.posonly_params:
        return None
    return ctx.unsafe_fix(f"Remove the unused `**{name}`", [(params, cst.Module([]).code_for_node(new))])
