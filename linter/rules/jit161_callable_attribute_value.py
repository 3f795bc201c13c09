from typing import Dict, List, Optional, Tuple

import libcst as cst

from ..analysis.context import FixSpec
from ..analysis.module_partials import partial_globals
from ..analysis.names import dotted_name
from ..analysis.syntax import binding_targets, function_nodes, iter_descendants
from ..finding import UNSAFE
from .base import Example, Rule

# Builtin functions checked with torch 2.13 as module attributes ("failed to convert Python
# type: 'builtin_function_or_method' to a TorchScript type").
_BUILTINS = frozenset({"builtins.abs"})


def _self_attr(node: cst.BaseExpression, me: str) -> Optional[str]:
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == me:
        return node.attr.value
    return None


# operator functions and the operator each call is written with (binary, then unary).
_BINARY_OPERATORS = {
    "add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%", "pow": "**",
    "matmul": "@", "and_": "&", "or_": "|", "xor": "^", "lshift": "<<", "rshift": ">>",
    "eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
}
_UNARY_OPERATORS = {"neg": "-", "pos": "+", "invert": "~"}
_ATOMIC = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float, cst.SimpleString)


def _paren(node: cst.BaseExpression, fctx) -> str:
    code = fctx.code_of(node)
    return code if isinstance(node, _ATOMIC) or node.lpar else f"({code})"


def _direct_call_fix(cls, attr: str, entries, fctx):
    """Each ``self.<attr>(...)`` call written as the call the attribute stands for (see Fix safety)."""
    _mname, target, _what = entries[0]
    init = cls.methods["__init__"]
    me = init.params.params[0].name.value
    assign = next((sub for sub in iter_descendants(init.body) if isinstance(sub, cst.Assign)
                   and len(sub.targets) == 1 and sub.targets[0].target is target), None)
    if assign is None:
        return None
    value = assign.value
    bound = _self_attr(value, me)
    qual = None
    if bound is None:
        dotted = dotted_name(value)
        qual = fctx.names.resolve(dotted) if dotted else None
        if qual is None:
            return None
    edits = []
    for method in cls.methods.values():
        if not method.params.params:
            continue
        mine = method.params.params[0].name.value
        calls = [n for n in iter_descendants(method.body) if isinstance(n, cst.Call) and _self_attr(n.func, mine) == attr]
        reads = [n for n in iter_descendants(method.body) if isinstance(n, cst.Attribute) and _self_attr(n, mine) == attr]
        expected = len(calls) + (1 if method is init else 0)
        if len(reads) != expected:
            return None  # read other than called (passed on, compared, rebound): no fix
        for call in calls:
            args = call.args
            if any(a.star for a in args):
                return None
            if bound is not None:
                edits.append((call.func, f"{mine}.{bound}"))
                continue
            positional = [a for a in args if a.keyword is None]
            name = qual.rsplit(".", 1)[-1]
            if qual.startswith("operator.") and len(args) == len(positional):
                if name in _BINARY_OPERATORS and len(args) == 2:
                    text = f"({_paren(args[0].value, fctx)} {_BINARY_OPERATORS[name]} {_paren(args[1].value, fctx)})"
                elif name in _UNARY_OPERATORS and len(args) == 1:
                    text = f"({_UNARY_OPERATORS[name]}{_paren(args[0].value, fctx)})"
                else:
                    return None
            elif qual == "builtins.abs" and len(args) == 1 and positional:
                text = f"abs({fctx.code_of(args[0].value)})"
            elif qual.startswith("torch.Tensor.") and qual.count(".") == 2 and positional and args[0].keyword is None:
                rest = ", ".join(fctx.code_of(a).strip().rstrip(",") for a in args[1:])
                text = f"{_paren(args[0].value, fctx)}.{name}({rest})"
            else:
                return None
            edits.append((call, text))
    if not edits:
        return None
    shown = f"{me}.{bound}" if bound is not None else qual
    return FixSpec(f"Call `{shown}` directly", edits, UNSAFE)


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
    Unsafe (applied with ``--unsafe-fixes``), when the attribute is assigned once and the class
    only ever calls it: each ``self.act(x)`` becomes the call it stands for, ``self._double(x)``
    for a bound method, ``(a * b)`` for ``operator.mul`` (and the other operator functions),
    ``abs(x)``, ``x.relu()`` for ``torch.Tensor.relu``. The assignment stays. The same function
    runs with the same arguments, unless code outside the class rebinds the attribute (which the
    calls then no longer follow) or ``torch.Tensor.relu`` receives a non-Tensor. A module-level
    ``functools.partial`` has no fix.
    """

    code = "JIT161"
    name = "callable-attribute-value"
    fix_safety = "unsafe"
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
            # the locals only matter against the file's module-level partials (see _what)
            local = self._locals(method) if partial_globals(fctx) else frozenset()
            for sub in function_nodes(fctx, method, cst.Assign, cst.AnnAssign, cst.AugAssign):
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
            fix = _direct_call_fix(cls, attr, entries, fctx) if len(entries) == 1 else None
            fctx.report(node, f"`{init.params.params[0].name.value}.{attr}` holds {what}, which "
                              f"TorchScript cannot convert (\"failed to convert Python type\"), and `{{use}}` reads "
                              f"it (torch.jit.script rejects the module at that use): call the function directly, "
                              f"or hold a module-level `def` or an nn.Module",
                        requires=(("module", cls.id), ("attr_used", cls.id, attr)), fix=fix)

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
            if isinstance(sub, (cst.Global, cst.Nonlocal)):
                names.update(n.name.value for n in sub.names)
            for t in binding_targets(sub):
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
