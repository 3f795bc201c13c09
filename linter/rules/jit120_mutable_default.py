from typing import Optional

import libcst as cst

from ..analysis.spellings import bound_before, typing_name
from .base import Example, Rule

_MUTABLE_FACTORIES = {
    "builtins.list": "list()",
    "builtins.dict": "dict()",
    "collections.OrderedDict": "OrderedDict()",
    "collections.defaultdict": "defaultdict()",
}


def _mutable(node: cst.BaseExpression, ctx) -> Optional[str]:
    """How ``node`` builds a list or dict (the value TorchScript refuses as a default)."""
    if isinstance(node, (cst.List, cst.ListComp)):
        return "a list"
    if isinstance(node, (cst.Dict, cst.DictComp)):
        return "a dict"
    if isinstance(node, cst.Call):
        made = _MUTABLE_FACTORIES.get(ctx.resolve(node.func) or "")
        return f"`{made}`" if made else None
    if isinstance(node, cst.Tuple):
        for el in node.elements:
            inner = _mutable(el.value, ctx)
            if inner is not None:
                return f"a tuple holding {inner}"
        return None
    if isinstance(node, cst.Name):
        binding = ctx.names.value_kind(node.value)
        if binding is not None and binding.target in ("list", "dict"):
            return f"the module-level {binding.target} `{node.value}`"
    return None


class MutableDefault(Rule):
    """
    ## What it does
    Flags parameters of compiled functions and methods whose default value is a list or a dict
    (``l: List[int] = []``, ``d: Dict[str, int] = {}``, ``list()``, ``dict()``,
    ``OrderedDict()``, a tuple holding one, or a module-level list/dict).

    ## Why is this bad?
    ``torch.jit.script`` refuses them: "Mutable default parameters are not supported because
    Python binds them to the function and they persist across function calls". Tuples, numbers,
    strings, ``None`` and Tensors are accepted as defaults.

    ## Example
    ```python
    def fn(x: torch.Tensor, acc: List[int] = []) -> int:
        acc.append(1)
        return len(acc)
    ```

    ## Use instead
    Default to ``None`` and build the container in the body (this also removes Python's
    shared-mutable-default pitfall):
    ```python
    def fn(x: torch.Tensor, acc: Optional[List[int]] = None) -> int:
        if acc is None:
            acc = []
        acc.append(1)
        return len(acc)
    ```
    A read-only default can often become a tuple: ``sizes: Tuple[int, int] = (1, 2)``.

    ## Fix safety
    Unsafe (applied with ``--unsafe-fixes``), for an annotated parameter whose default is a list
    or dict display or ``list()``/``dict()``: the codemod ``none-default`` writes
    ``p: Optional[T] = None`` and, first in the body, ``if p is None:`` building the same
    container through an annotated local (``p_default: T = [...]``; TorchScript types an empty
    ``{}`` from that annotation). Each call that omits the argument then gets a new container
    where Python shared one between calls, so eager results differ when the function mutates
    the default, returns it or stores it (state persisted across calls before), and a caller
    passing ``None`` explicitly now gets the default instead of ``None``. A tuple holding a
    container, a module-level list/dict and an unannotated parameter have no fix.
    """

    code = "JIT120"
    name = "mutable-default"
    fix_safety = "unsafe"
    message = "mutable default arguments are not supported by torch.jit.script"
    evidence = ("s111",)

    INVALID = [
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor, acc: List[int] = []) -> int:  # MARK
                acc.append(1)
                return len(acc)
            """,
        ),
        Example(
            """
            from typing import Dict
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor, scales: Dict[str, float] = {"a": 2.0}) -> torch.Tensor:  # MARK
                    return x * scales["a"]
            """,
            root="M",
        ),
        Example(
            """
            from typing import List, Tuple
            import torch

            def fn(x: torch.Tensor, spec: Tuple[List[int], int] = (list(), 2)) -> int:  # MARK
                return spec[1]
            """,
        ),
    ]
    VALID = [
        Example(
            """
            from typing import List, Optional
            import torch

            def fn(x: torch.Tensor, acc: Optional[List[int]] = None) -> int:
                if acc is None:
                    acc = []
                acc.append(1)
                return len(acc)
            """,
        ),
        Example(
            """
            from typing import Tuple
            import torch

            def fn(x: torch.Tensor, sizes: Tuple[int, int] = (1, 2), name: str = "a") -> torch.Tensor:
                return x * sizes[1]
            """,
        ),
    ]

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        for p in ctx.function.params:
            if p.default is None:
                continue
            what = _mutable(p.default, ctx)
            if what is not None:
                ctx.report(p.node, f"parameter `{p.name}` defaults to {what}: mutable default arguments are "
                                   "not supported by torch.jit.script (default to None and build it in the body)",
                           fix=_none_default_fix(p, ctx))


def _none_default_fix(p, ctx):
    fn = ctx.function
    if fn is None or fn.qualname.count(".") > 1 or p.annotation is None or p.kind not in ("positional", "kwonly"):
        return None
    default = p.default
    if not (isinstance(default, (cst.List, cst.Dict, cst.ListComp, cst.DictComp))
            or (isinstance(default, cst.Call) and not default.args
                and ctx.resolve(default.func) in ("builtins.list", "builtins.dict"))):
        return None
    if not isinstance(fn.node.body, cst.IndentedBlock):
        return None
    temp = f"{p.name}_default"
    if temp in ctx.code_of(fn.node):
        return None
    ann = ctx.code_of(p.annotation.annotation)
    imports = ()
    optional = typing_name(ctx, "Optional")
    if optional is not None and not bound_before(ctx, optional.split(".")[0], fn.qualname.split(".")[0]):
        return None  # bound after the def: the annotation would fail when the def runs
    if optional is None:
        if "Optional" in ctx.names.bindings:
            return None
        optional, imports = "Optional", (("typing", "Optional"),)
    return ctx.unsafe_fix(f"Default `{p.name}` to None and build the {_what_of(default)} in the body", (),
                          imports=imports,
                          codemod=("none-default", (fn.qualname, p.name, f"{optional}[{ann}]", ann, temp)))


def _what_of(default) -> str:
    return "dict" if isinstance(default, (cst.Dict, cst.DictComp)) or (
        isinstance(default, cst.Call) and isinstance(default.func, cst.Name) and default.func.value == "dict") else "list"
