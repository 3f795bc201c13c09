"""What the compiler decides before it compiles: guards, folded tests, refinements, unrolled loops.

``torch.jit.is_scripting()``/``is_tracing()`` guards (and the library helpers that wrap them),
``isinstance`` tests fixed by a static type, branches that always exit, ``Optional``
refinements (``x is not None``), tests TorchScript may fold (so a branch may vanish), and loops
it unrolls rather than compiles as loops. Checked with torch 2.13 (../shared/ground-truth).
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence

import libcst as cst

from .context import FunctionContext
from .modes import SCRIPT, TRACE
from .names import dotted_name
from .syntax import iter_descendants
from .typecheck.lattice import SINT, SIZE, TENSOR, kind

SCRIPTING_CALLS = {"torch.jit.is_scripting", "torch.jit._script.is_scripting", "torch._C._is_scripting"}


TRACING_CALLS = {"torch.jit.is_tracing", "torch._C._get_tracing_state", "torch.jit._trace.is_tracing",
            "torch._C._is_tracing", "torchvision._is_tracing"}


# Names of library helpers that report tracing (checked: transformers.utils.is_tracing,
# torchvision._is_tracing); resolved calls whose last component matches fold in trace mode.
TRACING_HELPER_NAMES = frozenset({"is_tracing", "_is_tracing", "is_jit_tracing", "is_torch_tracing"})


def static_value(test: cst.BaseExpression, ctx: FunctionContext, mode: str) -> Optional[bool]:
    """What ``test`` evaluates to at compile time in ``mode``, or None when not constant.

    Script: only ``torch.jit.is_scripting()`` folds (to True); trace: the code runs as
    Python, so ``is_scripting()`` is False and ``is_tracing()`` True.
    """
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        v = static_value(test.expression, ctx, mode)
        return None if v is None else not v
    if isinstance(test, cst.BooleanOperation):
        left = static_value(test.left, ctx, mode)
        right = static_value(test.right, ctx, mode)
        if isinstance(test.operator, cst.And):
            if left is False or right is False:
                return False
            if left is True and right is True:
                return True
            return None
        if left is True or right is True:
            return True
        if left is False and right is False:
            return False
        return None
    if isinstance(test, cst.Call) and (not test.args or mode == TRACE):
        name = ctx.resolve(test.func)
        if name in SCRIPTING_CALLS and not test.args:
            return mode == SCRIPT
        if name in TRACING_CALLS and not test.args:
            return True if mode == TRACE else None
        if mode == TRACE and name and name.rsplit(".", 1)[-1] in TRACING_HELPER_NAMES:
            # Libraries wrap the check (transformers.utils.is_tracing(tensor), ...): while
            # tracing they answer True. In script mode they are ordinary calls, not folded.
            return True
    if (mode == TRACE and isinstance(test, cst.Name) and test.value == "training"
            and ctx.function is not None and not ctx.nested
            and any(p.name == "training" for p in ctx.function.params)):
        # A `training` parameter receives the caller's `self.training` (F.dropout-style
        # helpers such as torchvision's stochastic_depth): False in an eval-mode trace.
        return False
    if mode == SCRIPT and isinstance(test, cst.Call) and len(test.args) == 2:
        return _static_isinstance(test, ctx)
    if (mode == TRACE and isinstance(test, cst.Attribute) and test.attr.value == "training"
            and isinstance(test.value, cst.Name) and test.value.value == "self"
            and ctx.function is not None and ctx.function.class_facts is not None and not ctx.nested):
        # Trace rules assume the norm, a model put in eval mode before torch.jit.trace: code
        # under `if self.training:` (and after `if not self.training: return x`) does not run
        # while tracing. JIT313 (opt-in) reports the branch itself for models traced in train mode.
        return False
    return None


# isinstance(x, T) on a value whose static type is known is folded by the script compiler:
# the other branch is not compiled (only parsed). T -> the jitlint kinds it is True for.
_ISINSTANCE_KINDS = {
    "torch.Tensor": {TENSOR}, "builtins.int": {"int", SINT}, "builtins.float": {"float"},
    "builtins.str": {"str"}, "builtins.list": {"list", SIZE}, "builtins.tuple": {"tuple"},
    "builtins.dict": {"dict"},
}


_FOLDABLE_KINDS = frozenset({TENSOR, "int", SINT, "float", "str", "list", SIZE, "tuple", "dict"})


def _static_isinstance(test: cst.Call, ctx: FunctionContext) -> Optional[bool]:
    if not isinstance(test.func, cst.Name) or test.func.value != "isinstance" or ctx.infer is None:
        return None
    obj, types = test.args[0].value, test.args[1].value
    if not isinstance(obj, cst.Name) or any(a.keyword is not None or a.star for a in test.args):
        return None
    k = kind(ctx.infer.env.get(obj.value))
    if k not in _FOLDABLE_KINDS or ctx.resolve(test.func) != "builtins.isinstance":
        return None
    targets = types.elements if isinstance(types, cst.Tuple) else None
    names = [el.value for el in targets] if targets is not None else [types]
    result = False
    for node in names:
        kinds = _ISINSTANCE_KINDS.get(ctx.resolve(node) or "")
        if kinds is None:
            return None  # a type we do not model (bool, Optional[...], user classes...)
        result = result or k in kinds
    return result


def always_exits(stmts: Sequence[cst.BaseStatement]) -> bool:
    for stmt in stmts:
        if isinstance(stmt, cst.SimpleStatementLine):
            if any(isinstance(s, (cst.Return, cst.Raise)) for s in stmt.body):
                return True
        elif isinstance(stmt, cst.If):
            if stmt.orelse is not None and always_exits(stmt.body.body) and always_exits(_orelse_body(stmt.orelse)):
                return True
    return False


def _orelse_body(orelse) -> Sequence[cst.BaseStatement]:
    if isinstance(orelse, cst.If):
        return [orelse]
    return orelse.body.body


def refinements(test: cst.BaseExpression, truthy: bool) -> Dict[str, str]:
    """Names whose None-ness ``test`` decides: name -> "notnone" | "none"."""
    out: Dict[str, str] = {}
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return refinements(test.expression, not truthy)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comp = test.comparisons[0]
        left, right = test.left, comp.comparator
        if isinstance(right, cst.Name) and right.value == "None" and isinstance(left, cst.Name):
            is_not = isinstance(comp.operator, cst.IsNot)
            is_ = isinstance(comp.operator, cst.Is)
            if is_ or is_not:
                not_none = is_not == truthy
                out[left.value] = "notnone" if not_none else "none"
    elif isinstance(test, cst.BooleanOperation):
        if isinstance(test.operator, cst.And) and truthy:
            out.update(refinements(test.left, True))
            out.update(refinements(test.right, True))
        elif isinstance(test.operator, cst.Or) and not truthy:
            out.update(refinements(test.left, False))
            out.update(refinements(test.right, False))
    elif isinstance(test, cst.Name) and truthy:
        out[test.value] = "notnone"
    elif isinstance(test, cst.Call) and truthy and dotted_name(test.func) in ("isinstance", "torch.jit.isinstance"):
        if test.args and isinstance(test.args[0].value, cst.Name):
            out[test.args[0].value.value] = "notnone"
    return out


_FOLDED_CALLS = {"builtins.isinstance", "builtins.hasattr", "builtins.callable", "torch.jit.isinstance"}


def maybe_folded(test: cst.BaseExpression, ctx) -> bool:
    """True when TorchScript might decide ``test`` at compile time (so a branch may vanish).

    The compiler folds ``x is None`` when ``x`` is not Optional, ``isinstance``/``hasattr``,
    and ``Final``/``__constants__`` attributes; we cannot always tell, so such tests make the
    analysis give up rather than guess.
    """
    for n in (test, *iter_descendants(test)):
        if isinstance(n, cst.Comparison):
            if any(isinstance(c.operator, (cst.Is, cst.IsNot)) for c in n.comparisons):
                return True
        elif isinstance(n, cst.Call):
            if ctx.resolve(n.func) in _FOLDED_CALLS:
                return True
        elif isinstance(n, cst.Attribute):
            if isinstance(n.value, cst.Name) and n.value.value == "self" and n.attr.value != "training":
                return True
    return False


def real_loop(loop: cst.CSTNode, ctx) -> bool:
    """Does TorchScript compile this loop as a loop? ``while`` loops and ``for`` loops over
    ``range(...)``, list displays and List-typed values do; loops over tuples, module lists
    and other module attributes are unrolled into straight-line code (checked), so what they
    assign is defined after them and may change type freely."""
    if isinstance(loop, cst.While):
        return True
    if not isinstance(loop, cst.For):
        return False
    return _real_iterable(loop.iter, ctx)


def _real_iterable(it: cst.BaseExpression, ctx) -> bool:
    from .typecheck.certain import confident_type

    if isinstance(it, (cst.List, cst.ListComp)):
        return True
    if isinstance(it, cst.Call):
        qual = ctx.resolve(it.func)
        if qual == "builtins.range":
            return True
        if qual in ("builtins.enumerate", "builtins.reversed") and it.args:
            return _real_iterable(it.args[0].value, ctx)
        if qual == "builtins.zip" and it.args:
            return all(_real_iterable(a.value, ctx) for a in it.args)
        return False
    cat = confident_type(it, ctx)
    return isinstance(cat, tuple) and cat[0] == "list"
