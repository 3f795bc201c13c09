"""A jitlint type spelled as a TorchScript annotation with this file's own imports.

Fixes that declare a variable (``out: List[int] = []``) need the annotation text and the imports
it needs that the file lacks (``imports`` receives ``(module, name)`` pairs, as ``imports=`` of a
fix takes them).
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from ..spellings import torch_spelling, typing_name
from .lattice import BOOL, FLOAT, INT, SBOOL, SINT, SIZE, STR, TENSOR, kind

Imports = List[Tuple[str, Optional[str]]]

_SCALARS = {INT: "int", SINT: "int", FLOAT: "float", BOOL: "bool", SBOOL: "bool", STR: "str"}


def spell_type(t, ctx, imports: Imports, depth: int = 0) -> Optional[str]:
    """The annotation for ``t`` (None when it cannot be spelled: unknown parts, modules...)."""
    if depth > 3 or t is None:
        return None
    if t in _SCALARS:
        return _SCALARS[t]
    if t == TENSOR:
        spelled = torch_spelling(ctx, "Tensor")
        if spelled is None and "torch" not in ctx.names.bindings:
            imports.append(("torch", None))
            return "torch.Tensor"
        return spelled
    if t == SIZE:
        return generic("List", ctx, ["int"], imports)
    k = kind(t)
    if k == "list":
        inner = spell_type(t[1], ctx, imports, depth + 1)
        return generic("List", ctx, [inner], imports) if inner else None
    if k == "tuple" and t[1]:
        inner = [spell_type(e, ctx, imports, depth + 1) for e in t[1]]
        return generic("Tuple", ctx, inner, imports) if all(inner) else None
    if k == "dict":
        key, value = spell_type(t[1], ctx, imports, depth + 1), spell_type(t[2], ctx, imports, depth + 1)
        return generic("Dict", ctx, [key, value], imports) if key and value else None
    if k == "optional":
        inner = spell_type(t[1], ctx, imports, depth + 1)
        if inner is None:
            return None
        head = typing_spelling(ctx, "Optional", imports)
        return f"{head}[{inner}]" if head else f"{inner} | None"
    return None


def typing_spelling(ctx, name: str, imports: Imports) -> Optional[str]:
    """``typing.<name>`` as this file spells it; else ``name``, recording the import the fix then
    declares, when the name is free (or bound only for type checkers); else None."""
    spelled = typing_name(ctx, name)
    binding = ctx.names.bindings.get(name)
    if spelled is not None and not (spelled == name and binding.kind == "type-checking-import"):
        return spelled
    if binding is None or spelled == name:
        imports.append(("typing", name))
        return name
    return None


def generic(name: str, ctx, args, imports: Imports) -> str:
    """``List[...]``/``Dict[...]``/``Tuple[...]`` (PEP 585 ``list[...]`` when the typing name is
    bound to something else)."""
    head = typing_spelling(ctx, name, imports) or name.lower()
    return f"{head}[{', '.join(args)}]"
