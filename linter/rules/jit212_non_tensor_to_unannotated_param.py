from typing import Optional

import libcst as cst

from ..analysis.calls import Target, a_code, bind_args, signature_in_type_comment
from ..analysis.compiled import functions_named, jit_flag
from ..analysis.types import NONE, TENSOR, describe, kind
from ..analysis.value_kinds import not_tensor
from .base import Example, Rule


def compiled_target(call: cst.Call, ctx) -> Optional[Target]:
    """The compiled function or method of this file that ``call`` calls (not ignored/unused:
    JIT210 covers those; not static or class methods, whose binding differs)."""
    func = call.func
    node, method, label = None, False, ""
    if isinstance(func, cst.Name):
        if ctx.infer is not None and func.value in ctx.infer.locals:
            return None
        node = ctx.file.function_nodes.get(func.value)
        if node is None or ctx.names.resolve(func.value) is None:
            return None
        label = f"{func.value}()"
    elif (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self"
          and ctx.function is not None and ctx.function.class_node is not None and not ctx.function.is_staticmethod):
        name = func.attr.value
        facts = ctx.class_facts
        if facts is not None and name in facts.attr_types:
            return None  # a submodule or a function-valued attribute
        node = next((s for s in ctx.function.class_node.body.body
                     if isinstance(s, cst.FunctionDef) and s.name.value == name), None)
        if node is None:
            return None
        method, label = True, f"self.{name}()"
    if node is None or jit_flag(node, ctx) is not None:
        return None
    siblings = ctx.function.class_node.body.body if method else ctx.file.module.body
    for stmt in functions_named(node.name.value, siblings, ctx):
        if any(
                "overload" in ctx.code_of(dec.decorator) for dec in stmt.decorators):
            return None  # compiled with the @torch.jit._overload declarations' signatures
    for dec in node.decorators:
        d = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        last = d.attr.value if isinstance(d, cst.Attribute) else d.value if isinstance(d, cst.Name) else ""
        if last in ("staticmethod", "classmethod", "property") or "overload" in last:
            return None
    return Target(node, "", method, label)


class NonTensorToUnannotatedParam(Rule):
    """
    ## What it does
    Flags a call from compiled code to a function or method of the same file (compiled with
    it) that passes an int, float, bool, str, list, tuple or None to a parameter without an
    annotation.

    ## Why is this bad?
    TorchScript types every unannotated parameter as a Tensor, whatever the call sites pass.
    The call is rejected ("Expected a value of type 'Tensor (inferred)' for argument 'n' but
    instead found type 'int'. Inferred 'n' to be of type 'Tensor' because it was not
    annotated"), and the compiler names only the first such call. Python code usually passes
    sizes and flags to helpers like this (`self.resize_pos(x.shape[1] - 1)`).

    ## Example
    ```python
    def scale(x, factor):
        return x * factor

    class M(nn.Module):
        def forward(self, x):
            return scale(x, 2)
    ```

    ## Use instead
    ```python
    def scale(x: torch.Tensor, factor: int) -> torch.Tensor:
        return x * factor
    ```

    ## Fix safety
    No automatic fix: the annotation follows from what every caller passes.
    """

    code = "JIT212"
    name = "non-tensor-to-unannotated-param"
    message = "a non-Tensor value passed to an unannotated parameter (typed Tensor by TorchScript)"
    evidence = ()

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.pos = nn.Parameter(torch.zeros(1, 5, 4))

                def pos_for(self, n):
                    if n == self.pos.shape[1]:
                        return self.pos
                    return self.pos[:, :n]

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x + self.pos_for(x.shape[1])  # MARK
            """,
            root="M", inputs="[(torch.ones(2, 5, 4),), (torch.ones(2, 3, 4),)]",
        ),
        Example(
            """
            import torch

            def scale(x, factor):
                return x * factor

            def fn(x: torch.Tensor) -> torch.Tensor:
                return scale(x, 2.5)  # MARK
            """,
            root="fn", inputs="[(torch.ones(3),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.pos = nn.Parameter(torch.zeros(1, 5, 4))

                def pos_for(self, n: int):
                    if n == self.pos.shape[1]:
                        return self.pos
                    return self.pos[:, :n]

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x + self.pos_for(x.shape[1])
            """,
            root="M", inputs="[(torch.ones(2, 5, 4),), (torch.ones(2, 3, 4),)]",
        ),
        Example(
            """
            import torch

            def scale(x, factor):
                return x * factor

            def shift(x, by):
                # type: (Tensor, int) -> Tensor
                return x + by

            def fn(x: torch.Tensor) -> torch.Tensor:
                return shift(scale(x, x.mean()), 2)
            """,
            root="fn", inputs="[(torch.ones(3),)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return
        target = compiled_target(node, ctx)
        if target is None or signature_in_type_comment(target.node, ctx):
            return
        params = target.node.params
        if params.star_arg is not None and isinstance(params.star_arg, cst.Param):
            return  # JIT117 reports the signature itself
        plain = list(params.posonly_params) + list(params.params)
        if target.method:
            plain = plain[1:]
        bound = bind_args(node, plain + list(params.kwonly_params))
        if bound is None:
            return
        for param, arg in bound:
            if param.annotation is not None or arg is None:
                continue
            t = ctx.type_of(arg)
            if t == TENSOR or kind(t) == "optional" or not not_tensor(t):
                continue  # Optional values are often refined in ways local inference misses
            shown = "`None`" if t == NONE else a_code(describe(t))
            ctx.report(node, f"`{target.label}` has no annotation on `{param.name.value}`, so TorchScript types it "
                             f"as a Tensor, but this call passes {shown}: torch.jit.script rejects the call "
                             f"(\"Expected a value of type 'Tensor (inferred)'\"); annotate it "
                             f"(e.g. `{param.name.value}: {_annotation(t)}`)")
            return


def _annotation(t) -> str:
    return "Optional[...]" if t == NONE else describe(t)
