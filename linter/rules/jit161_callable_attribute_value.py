from typing import Dict, List, Optional, Tuple

import libcst as cst

from ..analysis.module_partials import partial_globals
from ..analysis.names import dotted_name
from ..analysis.syntax import iter_descendants
from .base import Example, Rule

# Builtin functions checked with torch 2.13 as module attributes ("failed to convert Python
# type: 'builtin_function_or_method' to a TorchScript type").
_BUILTINS = frozenset({"builtins.abs"})


def _self_attr(node: cst.BaseExpression, me: str) -> Optional[str]:
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == me:
        return node.attr.value
    return None


class CallableAttributeValue(Rule):
    """
    ## What it does
    Flags an ``nn.Module`` attribute that holds a callable TorchScript cannot convert, when a
    compiled method reads it: a bound method of the module (``self.act = self._gelu``), a
    function of the ``operator`` module (``self.op = operator.mul``), ``abs``, or an unbound
    Tensor method (``self.op = torch.Tensor.relu``), or a module-level ``functools.partial``
    object (``gelu_tanh = partial(F.gelu, approximate="tanh")``, then ``self.act = gelu_tanh``).
    (A ``functools.partial(...)`` call assigned directly is JIT137.)

    ## Why is this bad?
    ``torch.jit.script`` types module attributes from their values and rejects these at the
    use ("Module 'M' has no attribute 'act' (This attribute exists on the Python module, but we
    failed to convert Python type: 'method' to a TorchScript type"; ``'builtin_function_or_method'``,
    ``'method_descriptor'``, ``'functools.partial'``). Module-level ``def``s, ``torch.sigmoid``, ``F.gelu`` and
    ``math.sqrt`` held in attributes compile and are not reported.

    ## Example
    ```python
    def __init__(self):
        super().__init__()
        self.act = self._double

    def _double(self, x):
        return x * 2

    def forward(self, x):
        return self.act(x)
    ```

    ## Use instead
    ```python
    def forward(self, x):
        return self._double(x)
    ```

    ## Fix safety
    No automatic fix: the call sites have to name the method or function directly.
    """

    code = "JIT161"
    name = "callable-attribute-value"
    message = "module attribute holds a callable TorchScript cannot convert"

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.act = self._double  # MARK

                def _double(self, x: torch.Tensor) -> torch.Tensor:
                    return x * 2

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.act(x)
            """,
            root="M", inputs="[(torch.ones(2),)]",
        ),
        Example(
            """
            import operator
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.op = operator.mul  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.op(x, x)
            """,
            root="M", inputs="[(torch.ones(2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.op = torch.Tensor.relu  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.op(x)
            """,
            root="M", inputs="[(torch.ones(2),)]",
        ),
        Example(
            """
            from functools import partial
            import torch
            import torch.nn.functional as F
            from torch import nn

            gelu_tanh = partial(F.gelu, approximate="tanh")

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.act = gelu_tanh  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.act(x)
            """,
            root="M", inputs="[(torch.ones(2),)]",
        ),
    ]
    VALID = [
        Example(
            """
            from functools import partial
            import torch
            import torch.nn.functional as F
            from torch import nn

            gelu_tanh = partial(F.gelu, approximate="tanh")
            norm_layer = partial(nn.LayerNorm, eps=1e-6)

            def _gelu_tanh(x: torch.Tensor) -> torch.Tensor:
                return F.gelu(x, approximate="tanh")

            class M(nn.Module):
                def __init__(self, gelu_tanh=_gelu_tanh):
                    super().__init__()
                    self.act = gelu_tanh
                    self.norm = norm_layer(2)
                    self.unused = partial(F.gelu, approximate="tanh")

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.norm(self.act(x))
            """,
            root="M", inputs="[(torch.ones(2),)]",
        ),
        Example(
            """
            import math
            import operator
            import torch
            import torch.nn.functional as F
            from torch import nn

            def _double(t: torch.Tensor) -> torch.Tensor:
                return t * 2

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.act = F.gelu
                    self.gate = torch.sigmoid
                    self.scale = _double
                    self.root = math.sqrt
                    self.unused = self._half
                    self.op = operator.mul

                def _half(self, x: torch.Tensor) -> torch.Tensor:
                    return x / 2

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.scale(self.gate(self.act(x))) * self.root(4.0)
            """,
            root="M", inputs="[(torch.ones(2),)]",
        ),
    ]

    def check_class(self, cls, fctx) -> None:
        init = cls.methods.get("__init__")
        if init is None or not cls.node.bases or not init.params.params:
            return
        methods = set(cls.methods)
        found: Dict[str, List[Tuple[str, cst.CSTNode, Optional[str]]]] = {}
        for mname, method in cls.methods.items():
            if not method.params.params:
                continue
            me = method.params.params[0].name.value
            local = self._locals(method)
            for sub in iter_descendants(method.body):
                if isinstance(sub, cst.Assign):
                    for t in sub.targets:
                        attr = _self_attr(t.target, me)
                        if attr is not None:
                            what = self._what(sub.value, me, methods, fctx, local) if len(sub.targets) == 1 else None
                            found.setdefault(attr, []).append((mname, t.target, what))
                elif isinstance(sub, (cst.AnnAssign, cst.AugAssign)):
                    attr = _self_attr(sub.target, me)
                    if attr is not None:
                        found.setdefault(attr, []).append((mname, sub.target, None))
        annotated = set(cls.summary.class_annotations)
        for attr, entries in found.items():
            if attr in annotated or any(what is None for _, _, what in entries):
                continue
            at_init = [(node, what) for mname, node, what in entries if mname == "__init__"]
            if not at_init:
                continue
            node, what = at_init[0]
            fctx.report(node, f"`{init.params.params[0].name.value}.{attr}` holds {what}, which "
                              f"TorchScript cannot convert (\"failed to convert Python type\"), and `{{use}}` reads "
                              f"it (torch.jit.script rejects the module at that use): call the function directly, "
                              f"or hold a module-level `def` or an nn.Module",
                        requires=(("module", cls.id), ("attr_used", cls.id, attr)))

    @staticmethod
    def _locals(method: cst.FunctionDef) -> set:
        """Names a method binds itself (parameters, assignments, loop/with/import targets)."""
        p = method.params
        names = {q.name.value for q in list(p.posonly_params) + list(p.params) + list(p.kwonly_params)}
        for q in (p.star_arg, p.star_kwarg):
            if isinstance(q, cst.Param):
                names.add(q.name.value)
        for sub in iter_descendants(method.body):
            if isinstance(sub, (cst.Name,)):
                continue
            targets = []
            if isinstance(sub, cst.Assign):
                targets = [t.target for t in sub.targets]
            elif isinstance(sub, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr)):
                targets = [sub.target]
            elif isinstance(sub, cst.AsName):
                targets = [sub.name]
            elif isinstance(sub, (cst.Global, cst.Nonlocal)):
                names.update(n.name.value for n in sub.names)
            for t in targets:
                names.update(n.value for n in iter_descendants(t) if isinstance(n, cst.Name))
                if isinstance(t, cst.Name):
                    names.add(t.value)
        return names

    @staticmethod
    def _what(value: cst.BaseExpression, me: str, methods: set, fctx, local: set = frozenset()) -> Optional[str]:
        attr = _self_attr(value, me)
        if attr is not None:
            return f"the bound method `{me}.{attr}`" if attr in methods else None
        if not isinstance(value, (cst.Name, cst.Attribute)):
            return None
        if isinstance(value, cst.Name) and value.value not in local and value.value in partial_globals(fctx):
            return f"the module-level `functools.partial` object `{value.value}`"
        dotted = dotted_name(value)
        qual = fctx.names.resolve(dotted) if dotted else None
        if qual is None:
            return None
        if qual.startswith("operator.") and qual.count(".") == 1:
            return f"the builtin `{qual}`"
        if qual in _BUILTINS:
            return f"the builtin `{qual[9:]}`"
        if qual.startswith("torch.Tensor.") and qual.count(".") == 2:
            return f"the unbound Tensor method `{qual}`"
        return None
