from typing import Dict, List, Optional, Tuple

import libcst as cst

from ..analysis.compiled import has_type_comment, never_compiled, overload_implementation
from ..analysis.typecheck.inference import annotation_type
from ..analysis.spellings import torch_spelling, typing_name
from ..analysis.statement_edits import annotate_param
from ..analysis.syntax import iter_descendants
from ..analysis.typecheck.lattice import BOOL, NONE, TENSOR, describe, kind
from .base import Example, Rule


def _uses(fn: cst.FunctionDef, wanted: set, need_is: bool) -> Dict[str, str]:
    """Parameter name -> "is" when the body compares it with ``is``/``is not``, else "read",
    for the ``wanted`` names (stops early once all are seen, unless ``is`` uses matter)."""
    out: Dict[str, str] = {}
    for node in iter_descendants(fn.body):
        if isinstance(node, cst.Name):
            if node.value in wanted and node.value not in out:
                out[node.value] = "read"
                if not need_is and len(out) == len(wanted):
                    break
        elif need_is and isinstance(node, cst.Comparison) and isinstance(node.left, cst.Name):
            if any(isinstance(c.operator, (cst.Is, cst.IsNot)) for c in node.comparisons):
                out[node.left.value] = "is"
    return out


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


def _tensor(ctx, imports: Imports) -> Optional[str]:
    """``torch.Tensor`` as this file spells it, else with ``import torch`` when ``torch`` is free."""
    spelled = torch_spelling(ctx, "Tensor")
    if spelled is None and "torch" not in ctx.names.bindings:
        imports.append(("torch", None))
        return "torch.Tensor"
    return spelled


class NoneDefaultNotOptional(Rule):
    """
    ## What it does
    Flags a parameter of a compiled function or method that defaults to ``None`` without an
    ``Optional[...]`` type: unannotated (``mask=None``) or annotated with a plain type
    (``mask: torch.Tensor = None``, ``dim: int = None``, ``sizes: List[int] = None``).

    ## Why is this bad?
    TorchScript has no implicit ``Optional``. An unannotated ``mask=None`` and
    ``mask: torch.Tensor = None`` both compile as a ``Tensor`` whose default is an *undefined*
    tensor: ``mask is None`` is then always False, and the compiled function raises ("Expected
    a proper Tensor but got None") as soon as it is called without ``mask``, although it works
    in eager Python. ``bool = None`` compiles with the default ``False`` (so ``is None`` checks
    are always False); ``int``, ``float``, ``str``, container and device annotations are
    rejected ("Expected a default value of type int on parameter "dim""). Unused parameters
    are not reported (nothing can go wrong with them).

    ## Example
    ```python
    def forward(self, x, mask=None):
        if mask is not None:
            x = x.masked_fill(mask, 0.0)
        return x

    def pool(x: torch.Tensor, dim: int = None) -> torch.Tensor:
        return x.mean() if dim is None else x.mean(dim)
    ```

    ## Use instead
    ```python
    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        if mask is not None:
            x = x.masked_fill(mask, 0.0)
        return x

    def pool(x: torch.Tensor, dim: Optional[int] = None) -> torch.Tensor:
        return x.mean() if dim is None else x.mean(dim)
    ```

    ## Fix safety
    Wrapping an existing annotation in ``Optional[...]`` is safe: it states what the default
    already says and does not change eager behaviour. The fix adds ``from typing import
    Optional`` (merged with the file's ``typing`` import) when the file lacks it, and writes PEP
    604 ``... | None`` (which TorchScript supports) only when ``Optional`` is bound to something
    else. For an unannotated parameter the fix guesses ``Optional[torch.Tensor]`` (adding
    ``import torch`` if needed), which is unsafe: the parameter may be meant to hold something
    else (an int, a list), and the annotation then makes the compiler reject its uses.
    """

    code = "JIT202"
    name = "none-default-not-optional"
    message = "parameter defaults to None but is not typed Optional[...]"
    fix_safety = "safe"
    evidence = ("s109", "s122")

    INVALID = [
        Example(
            """
            import torch

            def fn(x, mask=None):  # MARK
                if mask is not None:
                    x = x * mask
                return x
            """,
            expect="diverge",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, mask: torch.Tensor = None) -> torch.Tensor:  # MARK
                if mask is not None:
                    x = x * mask
                return x
            """,
            expect="diverge",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, dim: int = None) -> torch.Tensor:  # MARK
                if dim is None:
                    return x.sum()
                return x.sum(dim)
            """,
        ),
        Example(
            """
            from typing import List
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor,
                            sizes: List[int] = None) -> torch.Tensor:  # MARK
                    if sizes is None:
                        return x
                    return x.reshape(sizes)
            """,
            root="M",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, flip: bool = None) -> torch.Tensor:  # MARK
                if flip is None:
                    return x
                return -x
            """,
            expect="diverge",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Optional
            import torch

            def fn(x: torch.Tensor, mask: Optional[torch.Tensor] = None, dim: int | None = None,
                   bias: torch.Tensor | None = None) -> torch.Tensor:
                if mask is not None:
                    x = x * mask
                if bias is not None:
                    x = x + bias
                return x.sum() if dim is None else x.sum(dim)
            """,
        ),
        Example(
            """
            from typing import Any
            import torch

            def fn(x: torch.Tensor, unused=None, tag: Any = None, flag: bool = None) -> torch.Tensor:
                if flag:
                    return -x
                return x
            """,
        ),
    ]

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        if never_compiled(ctx):
            return
        candidates = [p for p in ctx.function.params
                      if isinstance(p.default, cst.Name) and p.default.value == "None"
                      and p.kind not in ("star", "starstar")]
        if not candidates or overload_implementation(ctx):
            return
        wanted = {p.name for p in candidates}
        need_is = False
        for p in candidates:
            if p.annotation is not None and annotation_type(p.annotation, ctx.names) == BOOL:
                need_is = True
        uses = None
        for p in candidates:
            d = p.default
            if not (isinstance(d, cst.Name) and d.value == "None") or p.kind in ("star", "starstar"):
                continue
            if p.annotation is None:
                if uses is None:
                    if has_type_comment(fn, ctx):
                        return
                    uses = _uses(fn, wanted, need_is)
                if p.name not in uses:
                    continue
                imports: Imports = []
                tensor = _tensor(ctx, imports)
                fix = None
                if tensor is not None:
                    ann = _optional(tensor, ctx, imports)
                    fix = ctx.unsafe_fix(f"Annotate `{p.name}: {ann}`", annotate_param(p.node, ann, ctx),
                                         imports=imports)
                ctx.report(p.node, f"`{p.name}=None` has no annotation: torch.jit.script types `{p.name}` as a Tensor "
                                   "whose default is an undefined tensor, so `is None` checks are False and the "
                                   f"compiled code raises when `{p.name}` is omitted; annotate it "
                                   f"`Optional[...]` (e.g. `{p.name}: Optional[torch.Tensor] = None`)", fix=fix)
                continue
            t = annotation_type(p.annotation, ctx.names)
            if t is None or t == NONE or kind(t) in ("optional", "module", "class", "func"):
                continue
            ann_node = p.annotation.annotation
            if t in (TENSOR, BOOL):
                if uses is None:
                    uses = _uses(fn, wanted, need_is)
                if p.name not in uses or (t == BOOL and uses[p.name] != "is"):
                    continue
            fix = None
            if not isinstance(ann_node, (cst.SimpleString, cst.ConcatenatedString)):
                imports = []
                ann = _optional(ctx.code_of(ann_node), ctx, imports)
                fix = ctx.safe_fix(f"Use `{ann}`", [(ann_node, ann)], imports=imports)
            shown = describe(t)
            if t == TENSOR:
                why = ("it compiles with an undefined tensor as the default, so `is None` checks are False and the "
                       f"compiled code raises when `{p.name}` is omitted")
            elif t == BOOL:
                why = "it compiles with the default `False`, so its `is None` checks are always False"
            else:
                why = f"torch.jit.script rejects it (\"Expected a default value of type {shown}\")"
            ctx.report(p.node, f"`{p.name}: {ctx.code_of(ann_node)} = None` is not Optional (TorchScript has no "
                               f"implicit Optional): {why}; annotate it `Optional[{shown}]`", fix=fix)
