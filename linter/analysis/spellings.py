"""How this file spells ``typing.X`` and ``torch.X``, so that fixes use the file's own imports."""

from __future__ import annotations

from typing import Optional


def typing_name(ctx, name: str) -> Optional[str]:
    """How this file spells ``typing.<name>`` (``Optional``, ``typing.Optional``...), or None."""
    if ctx.names.resolve(name) == f"typing.{name}":
        return name
    for alias in ("typing", "t", "tp", "T"):
        if ctx.names.resolve(alias) == "typing":
            return f"{alias}.{name}"
    return None


def torch_spelling(ctx, attr: str) -> Optional[str]:
    """How this file spells ``torch.<attr>`` (``torch.Tensor``, ``Tensor``...), or None."""
    if ctx.names.resolve(attr) == f"torch.{attr}":
        return attr
    for head, binding in ctx.names.bindings.items():
        if binding.kind == "import" and binding.target == "torch":
            return f"{head}.{attr}"
    return None


def optional_of(ann_code: str, ctx) -> Optional[str]:
    """``Optional[<ann>]`` spelled with this file's imports, or the PEP 604 ``<ann> | None``."""
    opt = typing_name(ctx, "Optional")
    return f"{opt}[{ann_code}]" if opt else f"{ann_code} | None"
