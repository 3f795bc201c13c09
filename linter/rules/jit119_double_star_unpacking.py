import keyword

import libcst as cst

from ..analysis.syntax import body_nodes, iter_descendants
from ..analysis.typecheck.lattice import kind
from .base import Example, Rule


class DoubleStarUnpacking(Rule):
    """
    ## What it does
    Flags ``**`` unpacking in compiled code: keyword-argument expansion in a call (``f(**d)``,
    ``dict(**d)``) and dict expansion in a dict display (``{**d}``, ``{"k": 1, **d}``).

    ## Why is this bad?
    TorchScript's frontend rejects both: "keyword-arg expansion is not supported" and "Dict
    expansion (e.g. `{**dict}`) is not supported" (a display mixing keys and ``**d`` even
    crashes the frontend with an ``AttributeError``). Being frontend errors, they fire even
    inside an ``if not torch.jit.is_scripting():`` block. ``dict(a=1)`` (keywords without
    ``**``), ``dict(d)`` and ``d.copy()`` are supported.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        d = {"k": 2.0}
        return scale(x, **d)

    def merged(d: Dict[str, int]) -> Dict[str, int]:
        return {**d}
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        d = {"k": 2.0}
        return scale(x, k=d["k"])

    def merged(d: Dict[str, int]) -> Dict[str, int]:
        return d.copy()
    ```

    ## Fix safety
    ``{**d}`` alone, with ``d`` known to be a ``Dict``, is replaced by ``d.copy()``: a shallow
    copy either way, so the fix is safe. ``f(x, **d)`` where ``d`` is a local bound once to a
    dict display with string-literal keys (identifiers) and used nowhere else becomes
    ``f(x, k=d["k"])``: safe, the same keywords in the same order. ``dict(**d)`` with ``d`` a
    ``Dict`` becomes ``d.copy()``: unsafe, a dict whose keys are not strings made ``dict(**d)``
    raise ``TypeError`` and is now copied. Other keyword expansions have no fix (the keys are
    only known at run time).
    """

    code = "JIT119"
    name = "double-star-unpacking"
    message = "`**` unpacking is not supported by torch.jit.script"
    frontend = True
    fix_safety = "safe or unsafe (see Fix safety)"
    evidence = ("s105", "s229")

    INVALID = [
        Example(
            """
            import torch

            def scale(a: torch.Tensor, k: float = 1.0) -> torch.Tensor:
                return a * k

            def fn(x: torch.Tensor) -> torch.Tensor:
                d = {"k": 2.0}
                return scale(x, **d)  # MARK
            """,
        ),
        Example(
            """
            from typing import Dict
            import torch

            def fn(d: Dict[str, int]) -> Dict[str, int]:
                return {**d}  # MARK
            """,
            inputs="[({'a': 1},)]",
        ),
        Example(
            """
            from typing import Dict
            import torch

            def fn(x: torch.Tensor, d: Dict[str, int]) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    d = dict(**d)  # MARK
                return x + len(d)
            """,
            inputs="[(torch.ones(3), {'a': 1})]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Dict
            import torch

            def scale(a: torch.Tensor, k: float = 1.0) -> torch.Tensor:
                return a * k

            def fn(x: torch.Tensor) -> torch.Tensor:
                d = {"k": 2.0}
                return scale(x, k=d["k"])
            """,
        ),
        Example(
            """
            from typing import Dict
            import torch

            def fn(d: Dict[str, int]) -> Dict[str, int]:
                e = d.copy()
                e.update(dict(a=1))
                return dict(e)
            """,
            inputs="[({'b': 2},)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        for arg in node.args:
            if arg.star == "**":
                ctx.report(arg, "keyword-argument expansion `**` in a call is not supported by torch.jit.script: "
                                "pass the keywords explicitly", fix=_dict_call_fix(node, arg, ctx) or
                           _keywords_fix(node, arg, ctx))

    def visit_Dict(self, node: cst.Dict, ctx) -> None:
        for el in node.elements:
            if isinstance(el, cst.StarredDictElement):
                fix = None
                if len(node.elements) == 1 and kind(ctx.type_of(el.value)) == "dict":
                    value = ctx.code_of(el.value)
                    if not isinstance(el.value, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):
                        value = f"({value})"
                    fix = ctx.safe_fix(f"Replace with `{value}.copy()`", [(node, f"{value}.copy()")])
                ctx.report(node, "dict expansion `{**...}` is not supported by torch.jit.script: "
                                 "use `d.copy()` and `update(...)`", fix=fix)
                return


def _dict_call_fix(call: cst.Call, arg: cst.Arg, ctx):
    """``dict(**d)`` -> ``d.copy()``."""
    if not (isinstance(call.func, cst.Name) and ctx.resolve(call.func) == "builtins.dict" and len(call.args) == 1
            and kind(ctx.type_of(arg.value)) == "dict"):
        return None
    value = ctx.code_of(arg.value)
    if not isinstance(arg.value, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):
        value = f"({value})"
    return ctx.unsafe_fix(f"Replace with `{value}.copy()`", [(call, f"{value}.copy()")])


def _keywords_fix(call: cst.Call, arg: cst.Arg, ctx):
    """``f(x, **d)`` with ``d = {"k": v}`` bound once and used only here -> ``f(x, k=d["k"])``."""
    fn = ctx.function
    if fn is None or not isinstance(arg.value, cst.Name) or sum(1 for a in call.args if a.star == "**") != 1:
        return None
    name = arg.value.value
    # assignments are statements: only the body holds them (the indexed body, no walk per call)
    displays = [n for n in body_nodes(ctx, cst.Assign) if len(n.targets) == 1
                and isinstance(n.targets[0].target, cst.Name) and n.targets[0].target.value == name]
    if len(displays) != 1 or not isinstance(displays[0].value, cst.Dict):
        return None
    nodes = list(iter_descendants(fn.node))
    if sum(1 for n in nodes if isinstance(n, cst.Name) and n.value == name) != 2:
        return None  # read or rebound elsewhere (a mutation between binding and call): no fix
    keys = []
    for el in displays[0].value.elements:
        if not isinstance(el, cst.DictElement) or not isinstance(el.key, cst.SimpleString):
            return None
        key = el.key.evaluated_value
        if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key) or key in keys:
            return None
        keys.append(key)
    if not keys:
        return None
    text = ", ".join(f'{k}={name}["{k}"]' for k in keys)
    return ctx.safe_fix(f"Pass the keywords of `{name}` explicitly", [(arg, text)])
