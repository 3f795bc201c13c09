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


class IsinstanceForm(Rule):
    """
    ## What it does
    Flags ``isinstance(x, T)`` in compiled code where ``T`` is a form TorchScript handles
    differently from Python: a parameterised container generic (``List[int]``,
    ``Dict[str, Tensor]``, ``Tuple[int, int]``, ``list[int]``), or a type TorchScript does not
    know in ``isinstance`` (``dict``, ``set``, ``object``, bare ``Dict``/``List``/``Tuple``,
    ``torch.nn.Module``, ``type(None)``).

    ## Why is this bad?
    TorchScript refines on ``isinstance(v, List[int])`` and compiles it, but eager Python raises
    ``TypeError: Subscripted generics cannot be used with class and instance checks``: the model
    only works once scripted. The other forms are rejected by ``torch.jit.script`` ("Unknown type
    name 'dict'", "Attempted to use Dict without contained types", "Expression of type apply
    cannot be used in a type expression"). ``isinstance`` with ``torch.Tensor``, ``int``,
    ``float``, ``str``, ``list``, ``tuple``, tuples of those and ``Optional[...]`` compile.

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
    For a single subscripted container generic, the fix replaces ``isinstance`` with
    ``torch.jit.isinstance`` (offered when ``torch`` is imported under that name). It is safe:
    the compiled refinement is unchanged and eager Python stops raising.
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
    ]
    VALID = [
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
            fix = None
            binding = ctx.names.bindings.get("torch")
            if (binding is not None and binding.kind == "import" and binding.target == "torch"
                    and not (ctx.infer is not None and "torch" in ctx.infer.locals)
                    and isinstance(node.args[1].value, cst.Subscript)):
                fix = ctx.safe_fix("Use `torch.jit.isinstance`", [(func, "torch.jit.isinstance")])
            ctx.report(
                node,
                f"`isinstance({obj}, {what})` compiles in TorchScript but raises TypeError in eager Python "
                f"(subscripted generics cannot be used with isinstance): use `torch.jit.isinstance`",
                fix=fix,
            )
        else:
            hint = (f"test `{obj} is None` instead" if what == "type(None)"
                    else "use `torch.jit.isinstance` with a parameterised type such as `Dict[str, int]`")
            ctx.report(node, f"`{what}` cannot be used in `isinstance` under torch.jit.script ({kind}); {hint}")

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
