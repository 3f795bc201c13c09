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


def bound_before(ctx, name: str, top_level: str) -> bool:
    """The module first binds ``name`` in a top-level statement before the one defining
    ``top_level`` (a def/class whose signature or class-body annotations evaluate ``name`` when
    it runs), or does not bind ``name`` at module level at all (an import added at the top will
    bind it first). ``ctx``: a function or file context."""
    fctx = getattr(ctx, "file", ctx)
    order = fctx.scratch.get("spellings:order")
    if order is None:
        import libcst as cst

        from .names import iter_top_level

        order = {}
        for index, (stmt, _tc) in enumerate(iter_top_level(fctx.module.body)):
            bound = []
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                        for alias in small.names:
                            target = alias.asname.name if alias.asname is not None else alias.name
                            while isinstance(target, cst.Attribute):
                                target = target.value
                            if isinstance(target, cst.Name):
                                bound.append(target.value)
                    elif isinstance(small, cst.Assign):
                        bound += [t.target.value for t in small.targets if isinstance(t.target, cst.Name)]
                    elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        bound.append(small.target.value)
            elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                bound.append(stmt.name.value)
            for b in bound:
                order.setdefault(b, index)
        fctx.scratch["spellings:order"] = order
    if name not in order:
        return True
    return top_level not in order or order[name] < order[top_level]
