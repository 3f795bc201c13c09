from typing import Optional

import libcst as cst

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
    No automatic fix: the rewrite needs an ``Optional`` import and a statement in the body, and
    it changes eager behaviour for callers that relied on the shared default.
    """

    code = "JIT120"
    name = "mutable-default"
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
                                   "not supported by torch.jit.script (default to None and build it in the body)")
