from typing import List, Optional

import libcst as cst

from ..analysis.calls import Target, a_code, bind_args, signature_in_type_comment
from ..analysis.compiled import jit_flag
from ..analysis.typecheck.inference import Inferrer
from ..analysis.syntax import iter_children
from ..analysis.typecheck.lattice import NONE, TENSOR, describe, kind
from ..analysis.value_kinds import default_kind, not_tensor
from .base import Example, Rule


def local_target(call: cst.Call, ctx) -> Optional[Target]:
    """The ignored/unused function ``call`` calls, when it is defined in this file."""
    func = call.func
    if isinstance(func, cst.Name):
        if ctx.infer is not None and func.value in ctx.infer.locals:
            return None
        node = ctx.file.function_nodes.get(func.value)
        if node is None or ctx.names.resolve(func.value) is None:
            return None
        flag = jit_flag(node, ctx)
        return Target(node, flag, False, f"{func.value}()") if flag else None
    if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self"
            and ctx.function is not None and ctx.function.class_node is not None and not ctx.function.is_staticmethod):
        name = func.attr.value
        facts = ctx.class_facts
        if facts is not None and name in facts.attr_types:
            return None  # a submodule or a function-valued attribute
        for stmt in ctx.function.class_node.body.body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value == name:
                flag = jit_flag(stmt, ctx)
                return Target(stmt, flag, True, f"self.{name}()") if flag else None
    return None


def _returns(fn: cst.FunctionDef) -> List[cst.Return]:
    out, stack = [], list(iter_children(fn.body))
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Return):
            out.append(node)
        elif not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            stack.extend(iter_children(node))
    return out


_SCALARS = frozenset({"int", "float", "bool", "str"})


class IgnoredFunctionUnannotated(Rule):
    """
    ## What it does
    Flags a call from compiled code to a ``@torch.jit.ignore`` (or ``@torch.jit.unused``)
    function or method of the same file whose signature is not annotated, when the call
    passes a non-Tensor argument to an unannotated parameter (or relies on its non-Tensor
    default), or uses the result of an ignored function that returns a non-Tensor (an int, a
    str, a list...) without a return annotation.

    ## Why is this bad?
    TorchScript does not compile an ignored function but still needs its signature, and an
    unannotated signature means "Tensors in, a Tensor out". Passing an int to such a parameter
    is rejected ("scale(Tensor x, Tensor k) -> Tensor: Expected a value of type 'Tensor' for
    argument 'k'"); a non-Tensor return value compiles and then fails at run time ("expected
    value of type Tensor for return value but instead got value of type int" / "Unable to
    cast 2 to Tensor"). Ignored functions that return nothing, or a tuple unpacked by the
    caller, are fine.

    ## Example
    ```python
    @torch.jit.ignore
    def count(x):
        return int(x.numel())

    def fn(x: torch.Tensor) -> torch.Tensor:
        return x * count(x)
    ```

    ## Use instead
    ```python
    @torch.jit.ignore
    def count(x: torch.Tensor) -> int:
        return int(x.numel())
    ```

    ## Fix safety
    When every ``return`` of the ignored function returns a value of one scalar type the
    analysis knows (``int``, ``float``, ``bool``, ``str``: ``return int(x.numel())``), the fix
    adds that return annotation. Annotations do not change what eager Python computes, and
    TorchScript then converts the Python result to that type: safe. Parameter annotations have
    no fix: the right ones come from what the Python function really receives.
    """

    code = "JIT210"
    name = "ignored-function-unannotated"
    fix_safety = "safe"
    message = "call of an unannotated @torch.jit.ignore function with non-Tensor values"
    evidence = ("s421",)

    INVALID = [
        Example(
            """
            import torch

            @torch.jit.ignore
            def count(x):
                return int(x.numel())

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x * count(x)  # MARK
            """,
            expect="diverge",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                @torch.jit.ignore
                def scale(self, x, k):
                    return x * k

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.scale(x, 2)  # MARK
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            @torch.jit.ignore
            def count(x):
                return int(x.numel())

            def double(x):
                return x * 2

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    print("elements:", count(x))
                return double(x)
            """,
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return
        if isinstance(func, cst.Attribute) and not (isinstance(func.value, cst.Name) and func.value.value == "self"):
            return
        target = local_target(node, ctx)
        if target is None or signature_in_type_comment(target.node, ctx):
            return
        if self._arguments(node, target, ctx):
            return
        if target.flag == "ignore":
            self._result(node, target, ctx)

    def _arguments(self, call: cst.Call, target: Target, ctx) -> bool:
        plain = list(target.node.params.posonly_params) + list(target.node.params.params)
        if target.method:
            plain = plain[1:]
        if target.node.params.star_arg is not None and isinstance(target.node.params.star_arg, cst.Param):
            return False
        bound = bind_args(call, plain + list(target.node.params.kwonly_params))
        if bound is None:
            return False
        for param, arg in bound:
            if param.annotation is not None:
                continue
            if arg is None:
                if param.default is None:
                    continue
                what = default_kind(param.default, ctx)
                if what is None:
                    continue
                shown = f"its default `{ctx.code_of(param.default)}`"
            else:
                t = ctx.type_of(arg)
                if t == TENSOR or not not_tensor(t):
                    continue
                shown = "`None`" if t == NONE else a_code(describe(t))
            ctx.report(call, f"`{target.label}` is `@torch.jit.{target.flag}` and its parameter `{param.name.value}` is "
                             f"not annotated, so TorchScript expects a Tensor there, but this call passes {shown}: "
                             f"torch.jit.script rejects the call; annotate the parameters of `{target.node.name.value}`")
            return True
        return False

    def _result(self, call: cst.Call, target: Target, ctx) -> None:
        if target.node.returns is not None:
            return
        parent = ctx.parent
        if isinstance(parent, cst.Expr):
            return  # result unused
        facts = ctx.class_facts if target.method else None
        infer = Inferrer(ctx.names, ctx.file.function_returns, ctx.file.classes, facts)
        bad = None
        returned = set()
        for ret in _returns(target.node):
            if ret.value is None:
                returned.add(None)
                continue
            t = infer.type_of(ret.value)
            returned.add(t)
            if t is None or t == TENSOR or t == NONE:
                continue
            if kind(t) == "tuple" and isinstance(parent, cst.Assign) and any(
                    isinstance(tg.target, (cst.Tuple, cst.List)) for tg in parent.targets):
                continue  # unpacked by the caller: TorchScript types it as a tuple of Tensors
            if not_tensor(t):
                bad = t
                break
        if bad is None:
            return
        fix = None
        if len(returned) == 1 and bad in _SCALARS:
            fix = ctx.safe_fix(f"Annotate `{target.node.name.value}` as returning `{bad}`",
                               [(target.node.whitespace_before_colon, f" -> {bad}")])
        ctx.report(call, f"`{target.label}` is `@torch.jit.ignore` without a return annotation, so TorchScript "
                         f"expects it to return a Tensor, but it returns {a_code(describe(bad))}: the compiled "
                         f"code fails at run time (\"Unable to cast ... to Tensor\"); annotate its return type "
                         f"(and parameters)", fix=fix)
