from typing import Optional, Tuple

import libcst as cst

from .base import Example, Rule

# Resolved names TorchScript does not know as a type in `isinstance` ("Unknown type name").
_UNKNOWN_TYPES = {
    "builtins.dict": "dict",
    "builtins.set": "set",
    "builtins.frozenset": "frozenset",
    "builtins.bytes": "bytes",
    "builtins.bytearray": "bytearray",
    "builtins.object": "object",
    "typing.Sequence": "typing.Sequence",
    "typing.Mapping": "typing.Mapping",
    "torch.nn.Module": "torch.nn.Module",
    "torch.nn.modules.module.Module": "torch.nn.Module",
}
# Bare generics: "Attempted to use List without a contained type".
_BARE_GENERICS = {
    "typing.List": "List",
    "typing.Dict": "Dict",
    "typing.Tuple": "Tuple",
}
# Subscripted containers: TorchScript refines on them, eager Python raises TypeError.
_CONTAINER_GENERICS = frozenset({
    "typing.List", "typing.Dict", "typing.Tuple", "builtins.list", "builtins.dict", "builtins.tuple",
})
_UNION_GENERICS = frozenset({"typing.Optional", "typing.Union"})
_JIT_ISINSTANCE = frozenset({"torch.jit.isinstance", "torch.jit._script.isinstance"})
# torch.jit.isinstance: bare generics the type parser rejects (with Optional) ...
_JIT_BARE_GENERICS = dict(_BARE_GENERICS, **{"typing.Optional": "Optional"})
# ... and forms that compile but make eager torch.jit.isinstance raise (at the top level)
_JIT_EAGER_RAISES = {
    "builtins.list": ("list", "eager raises 'Attempted to use list without a contained type'"),
    "builtins.tuple": ("tuple", "eager raises 'Attempted to use tuple without a contained type'"),
    "typing.Any": ("Any", "eager raises TypeError: typing.Any cannot be used with isinstance()"),
}
_TUPLE_GENERICS = frozenset({"typing.Tuple", "builtins.tuple"})


class IsinstanceForm(Rule):
    """
    ## What it does
    Flags ``isinstance(x, T)`` in compiled code where ``T`` is a form TorchScript handles
    differently from Python: a parameterised container generic (``List[int]``,
    ``Dict[str, Tensor]``, ``Tuple[int, int]``, ``list[int]``), or a type TorchScript does not
    know in ``isinstance`` (``dict``, ``set``, ``object``, bare ``Dict``/``List``/``Tuple``,
    ``torch.nn.Module``, ``type(None)``).

    Flags ``torch.jit.isinstance(x, T)`` where ``T`` is a form the script compiler rejects
    (``dict``, ``set``, ``object``, ``torch.nn.Module``, bare ``List``/``Dict``/``Tuple``/``Optional``,
    ``type(None)``, ``Tuple[int, ...]``, also inside a tuple of types), where it is called with
    keywords or with other than two arguments, or where ``T`` compiles but eager
    ``torch.jit.isinstance`` raises (bare ``list``/``tuple``, a string such as ``"List[int]"``,
    ``None``, ``Any``).

    ## Why is this bad?
    TorchScript refines on ``isinstance(v, List[int])`` and compiles it, but eager Python raises
    ``TypeError: Subscripted generics cannot be used with class and instance checks``: the model
    only works once scripted. The other forms are rejected by ``torch.jit.script`` ("Unknown type
    name 'dict'", "Attempted to use Dict without contained types", "Expression of type apply
    cannot be used in a type expression"). ``isinstance`` with ``torch.Tensor``, ``int``,
    ``float``, ``str``, ``list``, ``tuple``, tuples of those and ``Optional[...]`` compile.

    ``torch.jit.isinstance`` is compiled by parsing ``T`` as a TorchScript type: ``dict``, ``set``
    or ``torch.nn.Module`` are "Unknown type name", ``Tuple[int, ...]`` is "Expression of type
    dots cannot be used in a type expression", and ``torch.jit.isinstance(obj=x, target_type=int)``
    fails to compile although eager Python runs it. The other way round, ``torch.jit.isinstance(x,
    list)``, ``(x, "List[int]")``, ``(x, None)`` and ``(x, Any)`` compile, but eager
    ``torch.jit.isinstance`` raises ("Attempted to use list without a contained type", "The second
    argument to `torch.jit.isinstance` must be a type or a tuple of types", TypeError): the model
    only works once scripted. ``List[int]``, ``Dict[str, Tensor]``, ``Optional[int]``, ``Tuple[int,
    str]``, ``tuple[int, int]``, ``int``, ``torch.Tensor``, a user class, a NamedTuple and tuples of
    those work in both.

    ## Example
    ```python
    def fn(v: Union[List[int], List[str]]) -> int:
        if isinstance(v, List[int]):
            return len(v)
        return 0
    ```

    ## Use instead
    ``torch.jit.isinstance`` works in both eager Python and TorchScript:
    ```python
    def fn(v: Union[List[int], List[str]]) -> int:
        if torch.jit.isinstance(v, List[int]):
            return len(v)
        return 0
    ```
    For ``x is None`` checks use ``x is None`` rather than ``isinstance(x, type(None))``.

    ## Fix safety
    ``isinstance(v, (int, type(None)))`` of a plain name becomes
    ``isinstance(v, int) or v is None`` (``isinstance(v, type(None))`` becomes ``v is None``): the
    same test in eager Python, so the fix is safe. Subscripted generics get no fix: swapping in
    ``torch.jit.isinstance`` is what you want, but it changes what eager Python does (it stops
    raising TypeError), so it is left to you. ``torch.jit.isinstance`` findings get no fix.
    """

    code = "JIT133"
    name = "isinstance-form"
    message = "this `isinstance` form is not supported by torch.jit.script"
    fix_safety = "safe"
    evidence = ("s317", "s316")

    INVALID = [
        Example(
            """
            from typing import List, Union
            import torch

            def fn(v: Union[List[int], List[str]]) -> int:
                if isinstance(v, List[int]):  # MARK
                    return len(v)
                return 0
            """,
            inputs="[([1, 2],)]",
            expect="diverge",
        ),
        Example(
            """
            from typing import Dict
            import torch

            def fn(x: torch.Tensor, d: Dict[str, int]) -> torch.Tensor:
                if isinstance(d, dict):  # MARK
                    return x + 1
                return x
            """,
            inputs="[(torch.ones(3), {'a': 1})]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.sub = nn.Linear(3, 3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if isinstance(self.sub, nn.Module):  # MARK
                        return self.sub(x)
                    return x
            """,
            root="M",
            inputs="[(torch.ones(1, 3),)]",
        ),
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, k: Optional[int]) -> torch.Tensor:
                if isinstance(k, (int, type(None))):  # MARK
                    return x + 1
                return x
            """,
            inputs="[(torch.ones(3), None)]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(v: List[int]) -> int:
                if torch.jit.isinstance(v, list):  # MARK
                    return len(v)
                return 0
            """,
            inputs="[([1, 2],)]",
            expect="diverge",
        ),
        Example(
            """
            from typing import List, Union
            import torch

            def fn(v: Union[List[int], int]) -> int:
                if torch.jit.isinstance(v, "List[int]"):  # MARK
                    return 1
                return 0
            """,
            inputs="[([1, 2],)]",
            expect="diverge",
        ),
        Example(
            """
            from typing import Dict
            import torch

            def fn(x: torch.Tensor, d: Dict[str, int]) -> torch.Tensor:
                if torch.jit.isinstance(d, (int, set)):  # MARK
                    return x + 1
                return x
            """,
            inputs="[(torch.ones(3), {'a': 1})]",
        ),
        Example(
            """
            from typing import Tuple, Union
            import torch

            def fn(x: torch.Tensor, t: Union[Tuple[int, int], int]) -> torch.Tensor:
                if torch.jit.isinstance(t, Tuple[int, ...]):  # MARK
                    return x + 1
                return x
            """,
            inputs="[(torch.ones(3), (1, 2))]",
        ),
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, k: Optional[int]) -> torch.Tensor:
                if torch.jit.isinstance(k, type(None)):  # MARK
                    return x
                return x + 1
            """,
            inputs="[(torch.ones(3), None)]",
        ),
        Example(
            """
            from typing import Union
            import torch

            def fn(x: torch.Tensor, k: Union[int, str]) -> torch.Tensor:
                if torch.jit.isinstance(obj=k, target_type=int):  # MARK
                    return x + 1
                return x
            """,
            inputs="[(torch.ones(3), 2)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.sub = nn.Linear(3, 3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if torch.jit.isinstance(self.sub, nn.Module):  # MARK
                        return self.sub(x)
                    return x
            """,
            root="M",
            inputs="[(torch.ones(1, 3),)]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Dict, List, NamedTuple, Optional, Tuple, Union
            import torch

            class P(NamedTuple):
                n: int

            def fn(x: torch.Tensor, v: Union[List[int], Dict[str, torch.Tensor], Tuple[int, str], int],
                   o: Optional[int], p: P) -> torch.Tensor:
                n = 0
                if torch.jit.isinstance(v, List[int]) or torch.jit.isinstance(v, Dict[str, torch.Tensor]):
                    n += 1
                if torch.jit.isinstance(v, Tuple[int, str]) or torch.jit.isinstance(v, tuple[int, str]):
                    n += 2
                if torch.jit.isinstance(v, (int, float)) and torch.jit.isinstance(o, Optional[int]):
                    n += 4
                if torch.jit.isinstance(x, torch.Tensor) and torch.jit.isinstance(p, P):
                    n += 8
                return x * n
            """,
            inputs="[(torch.ones(3), [1], None, P(1)), (torch.ones(3), (1, 'a'), 2, P(2)), "
                   "(torch.ones(3), 3, 1, P(3))]",
        ),
        Example(
            """
            from typing import List, Union
            import torch

            def fn(v: Union[List[int], List[str]]) -> int:
                if torch.jit.isinstance(v, List[int]):
                    return len(v)
                return 0
            """,
            inputs="[([1, 2],)]",
        ),
        Example(
            """
            from typing import List, Optional, Tuple, Union
            import torch

            def fn(x: torch.Tensor, k: Union[int, float], xs: List[int], t: Tuple[int, int],
                   o: Optional[torch.Tensor]) -> torch.Tensor:
                n = 0
                if isinstance(x, torch.Tensor):
                    n += 1
                if isinstance(k, (int, float)):
                    n += 1
                if isinstance(xs, list) and isinstance(t, tuple):
                    n += 1
                if isinstance(o, Optional[torch.Tensor]):
                    n += 1
                return x * n
            """,
            inputs="[(torch.ones(3), 2, [1], (1, 2), None)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "isinstance":
            if ctx.resolve(func) in _JIT_ISINSTANCE:
                self._jit_isinstance(node, ctx)
            return
        if not isinstance(func, cst.Name) or func.value != "isinstance" or len(node.args) < 2:
            return
        if ctx.resolve(func) != "builtins.isinstance":
            return
        found = self._problem(node.args[1].value, ctx, top=True)
        if found is None:
            return
        kind, what = found
        obj = ctx.code_of(node.args[0].value)
        if kind == "generic":
            ctx.report(
                node,
                f"`isinstance({obj}, {what})` compiles in TorchScript but raises TypeError in eager Python "
                f"(subscripted generics cannot be used with isinstance): use `torch.jit.isinstance`",
            )
        else:
            hint = (f"test `{obj} is None` instead" if what == "type(None)"
                    else "use `torch.jit.isinstance` with a parameterised type such as `Dict[str, int]`")
            fix = self._none_fix(node, ctx) if what == "type(None)" else None
            ctx.report(node, f"`{what}` cannot be used in `isinstance` under torch.jit.script ({kind}); {hint}",
                       fix=fix)

    def _none_fix(self, node: cst.Call, ctx):
        """``isinstance(v, (A, type(None)))`` -> ``(isinstance(v, A) or v is None)`` for a plain name."""
        obj, types = node.args[0].value, node.args[1].value
        if not isinstance(obj, cst.Name) or node.args[0].keyword or node.args[1].keyword:
            return None
        elements = [el.value for el in types.elements] if isinstance(types, cst.Tuple) else [types]
        if any(isinstance(el, cst.StarredElement) for el in (types.elements if isinstance(types, cst.Tuple) else ())):
            return None
        rest = [el for el in elements if self._problem(el, ctx, top=False) is None]
        nones = [el for el in elements if el not in rest]
        if len(nones) != 1 or self._problem(nones[0], ctx, top=False) != ("a call is not a type expression",
                                                                              "type(None)"):
            return None
        test = f"{obj.value} is None"
        if rest:
            names = ", ".join(ctx.code_of(el) for el in rest)
            test = f"isinstance({obj.value}, {names if len(rest) == 1 else '(' + names + ')'}) or {test}"
            if not isinstance(ctx.parent, (cst.If, cst.While)):
                test = f"({test})"
        return ctx.safe_fix("Test `is None`", [(node, test)])

    def _problem(self, node: cst.BaseExpression, ctx, top: bool) -> Optional[Tuple[str, str]]:
        if isinstance(node, cst.Tuple):
            for el in node.elements:
                found = self._problem(el.value, ctx, top=False)
                if found is not None:
                    return found
            return None
        if isinstance(node, cst.Subscript):
            base = ctx.resolve(node.value)
            if base in _CONTAINER_GENERICS:
                return ("generic", ctx.code_of(node))
            if base in _UNION_GENERICS:
                for el in node.slice:
                    if isinstance(el.slice, cst.Index):
                        inner = el.slice.value
                        if isinstance(inner, cst.Subscript) and ctx.resolve(inner.value) in _CONTAINER_GENERICS:
                            return ("generic", ctx.code_of(node))
            return None
        if isinstance(node, cst.Call):
            if (isinstance(node.func, cst.Name) and node.func.value == "type" and len(node.args) == 1
                    and isinstance(node.args[0].value, cst.Name) and node.args[0].value.value == "None"
                    and ctx.resolve(node.func) == "builtins.type"):
                return ("a call is not a type expression", "type(None)")
            return None
        if isinstance(node, (cst.Name, cst.Attribute)):
            qual = ctx.resolve(node)
            if qual is None:
                return None
            if qual in _UNKNOWN_TYPES:
                return (f"unknown type name '{_UNKNOWN_TYPES[qual]}'", _UNKNOWN_TYPES[qual])
            if qual in _BARE_GENERICS:
                return ("a generic without contained types", _BARE_GENERICS[qual])
        return None

    def _jit_isinstance(self, node: cst.Call, ctx) -> None:
        """``torch.jit.isinstance(obj, T)``: the compiler parses ``T`` as a TorchScript type."""
        if any(a.star for a in node.args):
            return
        call = ctx.code_of(node.func)
        if any(a.keyword is not None for a in node.args) or len(node.args) != 2:
            ctx.report(node, f"`{call}` takes exactly two positional arguments (the value and the type) under "
                             f"torch.jit.script, which rejects keywords or another count (eager Python accepts "
                             f"`obj=`/`target_type=` keywords)")
            return
        obj, target = ctx.code_of(node.args[0].value), node.args[1].value
        found = self._jit_type_problem(target, ctx, top=True)
        if found is None:
            return
        kind, what, reason = found
        if kind == "diverge":
            ctx.report(node, f"`{call}({obj}, {ctx.code_of(target)})` compiles in TorchScript but {reason}: "
                             f"give a parameterised type such as `List[int]`")
        else:
            ctx.report(node, f"`{what}` cannot be the type of `{call}` under torch.jit.script ({reason}); "
                             f"use a TorchScript type such as `Dict[str, int]`, `List[int]` or `Optional[int]`")

    def _jit_type_problem(self, node: cst.BaseExpression, ctx, top: bool) -> Optional[Tuple[str, str, str]]:
        """(``reject``|``diverge``, the offending part, why) for a type argument of torch.jit.isinstance."""
        if isinstance(node, cst.Tuple):
            if any(isinstance(el, cst.StarredElement) for el in node.elements):
                return None
            for el in node.elements:
                found = self._jit_type_problem(el.value, ctx, top=False)
                if found is not None and found[0] == "reject":
                    return found
            return None
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            return ("diverge", ctx.code_of(node), "eager raises 'The second argument to `torch.jit.isinstance` "
                                                  "must be a type or a tuple of types'") if top else None
        if isinstance(node, cst.Name) and node.value == "None":
            return ("diverge", "None", "eager raises TypeError (isinstance() arg 2 must be a type)") if top else None
        if isinstance(node, cst.Subscript):
            if ctx.resolve(node.value) in _TUPLE_GENERICS and any(
                    isinstance(el.slice, cst.Index) and isinstance(el.slice.value, cst.Ellipsis) for el in node.slice):
                return ("reject", ctx.code_of(node), "'Expression of type dots cannot be used in a type expression'")
            return None
        if isinstance(node, cst.Call):
            if self._problem(node, ctx, top=False) is not None:  # type(None)
                return ("reject", "type(None)", "'Expression of type apply cannot be used in a type expression'")
            return None
        if isinstance(node, (cst.Name, cst.Attribute)):
            qual = ctx.resolve(node)
            if qual is None:
                return None
            if qual in _UNKNOWN_TYPES:
                return ("reject", _UNKNOWN_TYPES[qual], f"unknown type name '{_UNKNOWN_TYPES[qual]}'")
            if qual in _JIT_BARE_GENERICS:
                name = _JIT_BARE_GENERICS[qual]
                return ("reject", name, f"'Attempted to use {name} without a contained type'")
            if top and qual in _JIT_EAGER_RAISES:
                name, reason = _JIT_EAGER_RAISES[qual]
                return ("diverge", name, reason)
        return None
