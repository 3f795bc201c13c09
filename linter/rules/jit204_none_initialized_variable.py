from typing import Dict, List, Optional, Tuple

import libcst as cst

from ..analysis.guards import maybe_folded, real_loop, static_value
from ..analysis.spellings import torch_spelling, typing_name
from ..analysis.typecheck.lattice import BOOL, FLOAT, INT, NONE, SBOOL, SINT, STR, TENSOR, describe, is_optional
from .base import SCRIPT, Example, Rule

_BLOCKS = (cst.If, cst.For, cst.While)
_UNKNOWN = "unknown"
_SIMPLE = {INT: "int", SINT: "int", FLOAT: "float", BOOL: "bool", SBOOL: "bool", STR: "str"}


Imports = List[Tuple[str, Optional[str]]]


def _optional(inner: str, ctx, imports: Imports) -> str:
    """``Optional[<inner>]`` with this file's spelling of ``typing.Optional``, else with
    ``from typing import Optional`` recorded in ``imports`` when the name is free (or bound only
    for type checkers), else PEP 604 ``<inner> | None``."""
    spelled = typing_name(ctx, "Optional")
    binding = ctx.names.bindings.get("Optional")
    if spelled is not None and not (spelled == "Optional" and binding.kind == "type-checking-import"):
        return f"{spelled}[{inner}]"
    if binding is None or spelled == "Optional":
        imports.append(("typing", "Optional"))
        return f"Optional[{inner}]"
    return f"{inner} | None"


def _path(ctx) -> Tuple[tuple, ...]:
    """The enclosing if/for/while blocks, innermost last, with the side of each ``if``."""
    out = []
    for p in ctx.parents:
        if type(p) in _BLOCKS:
            side = "body"
            if type(p) is cst.If and not any(c is p.test for c in ctx.conditions):
                side = "else"
            out.append((p, side))
    return tuple(out)


def _fold(test: cst.BaseExpression, ctx):
    """True/False when TorchScript decides ``test`` at compile time, None when it does not,
    ``_UNKNOWN`` when we cannot tell."""
    if isinstance(test, cst.Name) and test.value in ("True", "False"):
        return test.value == "True"
    value = static_value(test, ctx, SCRIPT)
    if value is not None:
        return value
    if (isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.Name)
            and isinstance(test.comparisons[0].comparator, cst.Name)
            and test.comparisons[0].comparator.value == "None"
            and isinstance(test.comparisons[0].operator, (cst.Is, cst.IsNot))):
        t = ctx.type_of(test.left)
        if t is None:
            return _UNKNOWN
        if is_optional(t):
            return None
        is_none = t == NONE
        return is_none if isinstance(test.comparisons[0].operator, cst.Is) else not is_none
    if maybe_folded(test, ctx):
        return _UNKNOWN
    return None


def _nested_assignment(blocks, ctx) -> bool:
    """Is an assignment under ``blocks`` (the blocks between the ``None`` initialisation and
    it) in a block of its own for TorchScript (a real loop, or a branch that is not folded)?"""
    counts = False
    for node, side in blocks:
        if isinstance(node, cst.While):
            counts = True
        elif isinstance(node, cst.For):
            counts = counts or real_loop(node, ctx)
        else:
            value = _fold(node.test, ctx)
            if value == _UNKNOWN:
                return False
            if value is None:
                counts = True
            elif value != (side == "body"):
                return False  # the branch is compiled away
    return counts


class NoneInitializedVariable(Rule):
    """
    ## What it does
    Flags a local variable initialised with ``None`` (no annotation) that is later assigned
    another value inside an ``if``/``else`` branch or a loop: the ``y = None`` /
    ``if c: y = x`` pattern and the ``out = None`` accumulator of a loop.

    ## Why is this bad?
    TorchScript types a variable from its first assignment. ``y = None`` makes it ``NoneType``,
    and a branch or loop body cannot change the type of a variable defined outside it:
    ``torch.jit.script`` rejects the assignment ("Variable 'y' previously had type NoneType but
    is now being assigned to a value of type Tensor"). Re-assigning in straight-line code is
    fine, and so are branches the compiler folds away (``if torch.jit.is_scripting():``,
    ``if y is None:`` while ``y`` is still ``None``) and loops it unrolls (over tuples and
    module lists).

    ## Example
    ```python
    def fn(xs: List[torch.Tensor]) -> torch.Tensor:
        out = None
        for t in xs:
            out = t if out is None else out + t
        return out
    ```

    ## Use instead
    ```python
    def fn(xs: List[torch.Tensor]) -> torch.Tensor:
        out: Optional[torch.Tensor] = None
        for t in xs:
            out = t if out is None else out + t
        assert out is not None
        return out
    ```

    ## Fix safety
    The fix annotates the initialisation (``out: Optional[torch.Tensor] = None``) when the
    later value is a Tensor, an int, a float, a bool or a str, adding ``from typing import
    Optional`` (merged with the file's ``typing`` import) when the file lacks it (PEP 604
    ``... | None`` when ``Optional`` is bound to something else). Annotations do not change eager
    behaviour, so it is safe; uses of the variable that need its value may then need an
    ``is not None`` refinement (JIT203 reports them, and fixes those that raise in eager too).
    Other later values (containers, module outputs) get no fix: their type is not certain.
    """

    code = "JIT204"
    name = "none-initialized-variable"
    message = "variable initialised with None is assigned another type in a branch or loop"
    fix_safety = "safe"
    evidence = ("s301", "s302")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flag: bool) -> torch.Tensor:
                y = None
                if flag:
                    y = x * 2  # MARK
                return x if y is None else y
            """,
            inputs="[(torch.ones(3), True)]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(xs: List[torch.Tensor]) -> torch.Tensor:
                out = None
                for t in xs:
                    if out is None:
                        out = t  # MARK
                    else:
                        out = out + t
                return out
            """,
            inputs="[([torch.ones(2), torch.ones(2)],)]",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> int:
                    best = None
                    i = 0
                    while i < 3:
                        best = i  # MARK
                        i += 1
                    return 0 if best is None else best
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import List, Optional
            import torch

            def fn(xs: List[torch.Tensor], flag: bool) -> torch.Tensor:
                out: Optional[torch.Tensor] = None
                for t in xs:
                    out = t if out is None else out + t
                y = None
                y = xs[0] * 2
                if flag:
                    y = y + 1
                z = None
                if z is None:
                    z = xs[0]
                assert out is not None
                return out + y + z
            """,
            inputs="[([torch.ones(2), torch.ones(2)], True)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.blocks = nn.ModuleList([nn.Identity(), nn.Identity()])

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    last = None
                    for block in self.blocks:
                        last = block(x)
                    feat = None
                    if torch.jit.is_scripting():
                        feat = x * 2
                    return x if last is None else last
            """,
            root="M",
            inputs="[(torch.ones(2),)]",
        ),
    ]

    def _state(self, ctx) -> Dict[str, tuple]:
        return ctx.scratch.setdefault(self.code, {})

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        names: List[cst.Name] = []
        for t in node.targets:
            target = t.target
            if isinstance(target, cst.Name):
                names.append(target)
            elif isinstance(target, (cst.Tuple, cst.List)):
                names.extend(e.value for e in target.elements if isinstance(e.value, cst.Name))
        if not names:
            return
        value = node.value
        state = ctx.scratch.get(self.code)
        if isinstance(value, cst.Name) and value.value == "None" and len(node.targets) == 1 and len(names) == 1:
            self._state(ctx)[names[0].value] = (_path(ctx), node)
            return
        if not state:
            return
        single = len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name)
        for name in names:
            if name.value in state:
                self._assigned(name, node, value if single else None, ctx)

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        state = ctx.scratch.get(self.code)
        if state and isinstance(node.target, cst.Name):
            state.pop(node.target.value, None)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        state = ctx.scratch.get(self.code)
        if state and isinstance(node.target, cst.Name):
            state.pop(node.target.value, None)

    def visit_For(self, node: cst.For, ctx) -> None:
        state = ctx.scratch.get(self.code)
        if not state:
            return
        targets = [node.target] if isinstance(node.target, cst.Name) else [
            e.value for e in getattr(node.target, "elements", ()) if isinstance(e.value, cst.Name)]
        for name in targets:
            if name.value in state:
                self._assigned(name, node, None, ctx, extra=((node, "body"),))

    def _assigned(self, name: cst.Name, node: cst.CSTNode, value: Optional[cst.BaseExpression], ctx,
                  extra: tuple = ()) -> None:
        state = ctx.scratch[self.code]
        init_path, init = state[name.value]
        path = _path(ctx) + extra
        if len(path) < len(init_path) or any(a[0] is not b[0] or a[1] != b[1]
                                             for a, b in zip(path, init_path)):
            del state[name.value]  # another branch (or after the block): TorchScript's other rules apply
            return
        blocks = path[len(init_path):]
        if not blocks:
            del state[name.value]  # straight-line re-assignment changes the type: fine
            return
        if value is not None:
            t = ctx.type_of(value)
            if t == NONE:
                return
            if t is None and isinstance(value, (cst.Name, cst.Attribute)):
                return  # may hold None
        else:
            t = None
        if not _nested_assignment(blocks, ctx):
            return
        del state[name.value]
        where = "loop" if any(isinstance(b[0], (cst.For, cst.While)) for b in blocks) else "branch"
        shown = f"a value of type `{describe(t)}`" if t is not None else "a value"
        fix = None
        imports: Imports = []
        ann = self._annotation(t, ctx, imports)
        if ann is not None:
            fix = ctx.safe_fix(f"Declare `{name.value}: {ann} = None`", [(init, f"{name.value}: {ann} = None")],
                               imports=imports)
        hint = f"declare it `{name.value}: {ann} = None`" if ann else f"declare it `{name.value}: Optional[...] = None`"
        ctx.report(node, f"`{name.value}` was initialised with `None` (so TorchScript types it `NoneType`) and gets "
                         f"{shown} inside this {where}: torch.jit.script rejects this (\"Variable '{name.value}' "
                         f"previously had type NoneType\"); {hint}", fix=fix)

    @staticmethod
    def _annotation(t, ctx, imports: Imports) -> Optional[str]:
        if is_optional(t):
            t = t[1]
        if t == TENSOR:
            inner = torch_spelling(ctx, "Tensor")
            if inner is None and "torch" not in ctx.names.bindings:
                inner = "torch.Tensor"
                imports.append(("torch", None))
        else:
            inner = _SIMPLE.get(t)
        return _optional(inner, ctx, imports) if inner else None
