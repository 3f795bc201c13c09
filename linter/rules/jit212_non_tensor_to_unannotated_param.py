from typing import Optional

import libcst as cst

from ..analysis.calls import Target, a_code, bind_args, signature_in_type_comment
from ..analysis.compiled import functions_named, jit_flag
from ..analysis.module_elements import loop_element_class
from ..analysis.typecheck.lattice import NONE, TENSOR, describe, kind
from ..analysis.value_kinds import not_tensor
from .base import Example, Rule


def compiled_target(call: cst.Call, ctx) -> Optional[Target]:
    """The compiled function or method of this file that ``call`` calls (not ignored/unused:
    JIT210 covers those; not static or class methods, whose binding differs)."""
    func = call.func
    node, method, label = None, False, ""
    if isinstance(func, cst.Name):
        if ctx.infer is not None and func.value in ctx.infer.locals:
            # `for layer in self.layers: layer(xs)`: every element's forward is compiled
            element = loop_element_class(func.value, ctx)
            module = ctx.file.module_name
            return submodule_forward(("module", f"{module}.{element}" if module else element), func.value, ctx) \
                if element is not None else None
        node = ctx.file.function_nodes.get(func.value)
        if node is None or ctx.names.resolve(func.value) is None:
            return None
        label = f"{func.value}()"
    elif (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self"
          and ctx.function is not None and ctx.function.class_node is not None and not ctx.function.is_staticmethod):
        name = func.attr.value
        facts = ctx.class_facts
        if facts is not None and name in facts.attr_types:
            return submodule_forward(facts.attr_types[name], name, ctx)
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


def submodule_forward(t, attr: str, ctx) -> Optional[Target]:
    """The ``forward`` compiled for ``self.<attr>(...)`` when the attribute holds an instance of a
    class of this file (its own ``forward`` or one inherited from a same-file base, timm
    hrnet's ``SequentialList``); None for torch's modules, other files' classes and anything
    that is not surely one class."""
    if kind(t) != "module" or not isinstance(t[1], str):
        return None
    module = ctx.file.module_name
    prefix = f"{module}." if module else ""
    name = t[1][len(prefix):] if t[1].startswith(prefix) else None
    seen = set()
    while name is not None and name not in seen:
        seen.add(name)
        cls = ctx.file.class_nodes.get(name)
        if cls is None or not isinstance(cls.body, cst.IndentedBlock):
            return None
        body = cls.body.body
        if any(isinstance(s, cst.FunctionDef) and s.name.value == "__prepare_scriptable__" for s in body):
            return None
        forwards = [s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == "forward"]
        if len(forwards) > 1 or any(dec for f in forwards for dec in f.decorators):
            return None  # overloads, decorators: not one plain forward
        if forwards:
            if jit_flag(forwards[0], ctx) is not None:
                return None
            return Target(forwards[0], "", True, f"{name}.forward")
        bases = [b for b in cls.bases if b.keyword is None]
        name = bases[0].value.value if len(bases) == 1 and isinstance(bases[0].value, cst.Name) \
            and ctx.names.resolve(bases[0].value.value) == f"{prefix}{bases[0].value.value}" else None
    return None


class NonTensorToUnannotatedParam(Rule):
    """
    ## What it does
    Flags a call from compiled code to a function or method of the same file (compiled with
    it) that passes an int, float, bool, str, list, tuple or None to a parameter without an
    annotation; also a call of a submodule whose class is defined in the file
    (``self.stage(xs)``, the ``forward`` it runs, own or inherited from a base of the file).

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
        Example(
            """
            from typing import List

            import torch
            from torch import nn

            class Fuse(nn.Module):
                def forward(self, x: List[torch.Tensor]) -> List[torch.Tensor]:
                    return [x[0] + x[-1]]

            class SequentialList(nn.Sequential):
                def forward(self, x) -> List[torch.Tensor]:
                    for module in self:
                        x = module(x)
                    return x

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.branches = nn.ModuleList([nn.Identity(), nn.Conv2d(3, 3, 1)])
                    self.stage, self.channels = self._make_stage(2)

                def _make_stage(self, n: int):
                    return SequentialList(*[Fuse() for _ in range(n)]), 3

                def forward(self, x):
                    xl = [b(x) for b in self.branches]
                    return self.stage(xl)[-1]  # MARK
            """,
            root="Net", inputs="[(torch.ones(1, 3, 4, 4),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class Mix(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.proj = nn.Linear(4, 4)

                def forward(self, xs):
                    return [self.proj(x) for x in xs]

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.blocks = nn.ModuleList([Mix() for _ in range(2)])

                def forward(self, x):
                    xs = [x, x * 2]
                    for blk in self.blocks:
                        xs = blk(xs)  # MARK
                    return xs[0] + xs[1]
            """,
            root="Net", inputs="[(torch.ones(2, 4),)]",
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
        Example(
            """
            from typing import List

            import torch
            from torch import nn

            class Fuse(nn.Module):
                def forward(self, x: List[torch.Tensor]) -> List[torch.Tensor]:
                    return [x[0] + x[-1]]

            class SequentialList(nn.Sequential):
                def forward(self, x: List[torch.Tensor]) -> List[torch.Tensor]:
                    for module in self:
                        x = module(x)
                    return x

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.branches = nn.ModuleList([nn.Identity(), nn.Conv2d(3, 3, 1)])
                    self.stage, self.channels = self._make_stage(2)

                def _make_stage(self, n: int):
                    return SequentialList(*[Fuse() for _ in range(n)]), 3

                def forward(self, x):
                    xl = [b(x) for b in self.branches]
                    return self.stage(xl)[-1]
            """,
            root="Net", inputs="[(torch.ones(1, 3, 4, 4),), (torch.ones(2, 3, 5, 5),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class Mix(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.proj = nn.Linear(4, 4)

                def forward(self, x):
                    return self.proj(x)

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.blocks = nn.Sequential(*[Mix() for _ in range(2)])

                def forward(self, x):
                    outs = [x]
                    for i, blk in enumerate(self.blocks):
                        outs.append(blk(outs[i]))
                    return outs[-1]
            """,
            root="Net", inputs="[(torch.ones(2, 4),), (torch.ones(3, 4),)]",
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
            shown = "`None`" if t == NONE else a_code(describe(t).replace("unknown", "..."))
            ctx.report(node, f"`{target.label}` has no annotation on `{param.name.value}`, so TorchScript types it "
                             f"as a Tensor, but this call passes {shown}: torch.jit.script rejects the call "
                             f"(\"Expected a value of type 'Tensor (inferred)'\"); annotate it "
                             f"(e.g. `{param.name.value}: {_annotation(t)}`)")
            return


def _annotation(t) -> str:
    return "Optional[...]" if t == NONE else describe(t).replace("unknown", "...")
