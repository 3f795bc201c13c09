"""Argument constants carried into callees, for trace reach only.

``torch.jit.trace`` runs Python: a helper called only as ``build(x, augment=False)`` runs only
its ``augment=False`` branch, so what the other branch calls is never traced and its hazards
are not recorded. ``torch.jit.script`` compiles a function once, generically: a branch on a
``bool`` parameter is compiled on both sides whatever every caller passes (checked with torch
2.13: ``def f(x, flag: bool)`` with ``if flag: x.no_such_method()`` called only as
``f(x, False)`` is rejected), so nothing here applies to script mode. (The script compiler folds
``Final``/``__constants__`` attributes and ``None`` attributes per instance; that is in
``function_walker``.)

A value is abstracted to what a branch test can see of it: a set of ``NONE`` (None),
``FALSY`` (falsy, not None: False, 0, "") and ``TRUTHY``. The file step records, for each
call, a small expression tree (a *spec*) per argument, and for each branch on the caller's own
parameters the spec of its test; the reach step (``reach.Project``) evaluates the specs with
the values every traced caller passes (a fixed point over the traced call graph). Only what is
surely known is folded:

- literals ``True``/``False``/``None``/numbers/strings, a parameter of the calling function that
  it never rebinds (its own values, from its callers), ``not``/``and``/``or``, ``a if t else b``,
  ``x is None``/``x is not None``;
- ``self.training`` is falsy: trace rules assume a model put in eval mode before tracing, as
  the branch folding of ``if self.training:`` already does (JIT313 covers train-mode traces);
- anything else (another attribute, a call, ``*args``/``**kwargs`` at the call) is unknown:
  every value, nothing folds. A function reached other than by a plain call of a project
  function or method (a trace root, a submodule's ``forward``) has unknown parameters.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, Optional, Tuple

import libcst as cst

NONE, FALSY, TRUTHY = "none", "falsy", "truthy"
ANY: FrozenSet[str] = frozenset({NONE, FALSY, TRUTHY})
UNKNOWN = ("?",)

Spec = tuple


_BINDERS = (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr, cst.AsName,
            cst.Global, cst.Nonlocal)


def _rebound(ctx) -> set:
    out = set()
    from .syntax import binding_targets, body_nodes

    for n in body_nodes(ctx, *_BINDERS):
        if isinstance(n, (cst.Global, cst.Nonlocal)):
            out.update(x.name.value for x in n.names)
        for t in binding_targets(n):
            stack = [t]
            while stack:
                x = stack.pop()
                if isinstance(x, cst.Name):
                    out.add(x.value)
                elif isinstance(x, (cst.Tuple, cst.List)):
                    stack.extend(el.value for el in x.elements)
                elif isinstance(x, cst.StarredElement):
                    stack.append(x.value)
    return out


def fixed_params(ctx) -> FrozenSet[str]:
    """Parameters of the walked function that its body never rebinds (cached per function)."""
    fn = ctx.function
    if fn is None:
        return frozenset()
    cached = ctx.scratch.get("arg_values.fixed")
    if cached is None:
        rebound = _rebound(ctx)
        cached = frozenset(p.name for p in fn.params if p.name not in rebound and p.kind not in ("star", "starstar"))
        ctx.scratch["arg_values.fixed"] = cached
    return cached


class _FixedParams:
    """``name in fixed_params(ctx)``, asked lazily: a name that is no parameter is answered
    without the body walk that finds the rebound ones (most tests and arguments read none)."""

    __slots__ = ("ctx",)

    def __init__(self, ctx):
        self.ctx = ctx

    def __contains__(self, name) -> bool:
        fn = self.ctx.function
        if fn is None or not any(p.name == name and p.kind not in ("star", "starstar") for p in fn.params):
            return False
        return name in fixed_params(self.ctx)


def spec_of(node: Optional[cst.BaseExpression], ctx, params=None) -> Spec:
    """The spec of an expression in the walked function (``UNKNOWN`` when not modelled).
    ``params``: the names that count as parameters (default: :func:`fixed_params`, lazily)."""
    if node is None:
        return UNKNOWN
    if params is None:
        params = _FixedParams(ctx)
    if isinstance(node, cst.Name):
        if node.value == "None":
            return ("const", NONE)
        if node.value in ("True", "False"):
            return ("const", TRUTHY if node.value == "True" else FALSY)
        if node.value in params:
            return ("param", node.value)
        return UNKNOWN
    if isinstance(node, (cst.Integer, cst.Float)):
        return ("const", TRUTHY if node.evaluated_value else FALSY)
    if isinstance(node, cst.SimpleString):
        return ("const", TRUTHY if node.evaluated_value else FALSY)
    if isinstance(node, cst.Attribute):
        if (isinstance(node.value, cst.Name) and node.value.value == "self" and node.attr.value == "training"
                and ctx.function is not None and ctx.function.is_method):
            return ("const", FALSY)
        return UNKNOWN
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        inner = spec_of(node.expression, ctx, params)
        return UNKNOWN if inner == UNKNOWN else ("not", inner)
    if isinstance(node, cst.BooleanOperation):
        op = "and" if isinstance(node.operator, cst.And) else "or"
        return (op, spec_of(node.left, ctx, params), spec_of(node.right, ctx, params))
    if isinstance(node, cst.IfExp):
        return ("if", spec_of(node.test, ctx, params), spec_of(node.body, ctx, params),
                spec_of(node.orelse, ctx, params))
    if (isinstance(node, cst.Comparison) and len(node.comparisons) == 1
            and isinstance(node.comparisons[0].operator, (cst.Is, cst.IsNot))
            and isinstance(node.comparisons[0].comparator, cst.Name)
            and node.comparisons[0].comparator.value == "None"):
        inner = spec_of(node.left, ctx, params)
        if inner == UNKNOWN:
            return UNKNOWN
        return ("isnone" if isinstance(node.comparisons[0].operator, cst.Is) else "notnone", inner)
    return UNKNOWN


def uses_params(spec: Spec) -> bool:
    """Whether a spec reads a parameter (a test worth recording as a branch condition)."""
    if not spec or spec == UNKNOWN:
        return False
    if spec[0] == "param":
        return True
    return any(isinstance(s, tuple) and uses_params(s) for s in spec[1:])


def call_arguments(node: cst.Call, ctx) -> Optional[Tuple[Tuple[object, Spec], ...]]:
    """(position or keyword, spec) per argument of a call; None when ``*``/``**`` hide them."""
    out = []
    params = _FixedParams(ctx)
    position = 0
    for arg in node.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            out.append((arg.keyword.value, spec_of(arg.value, ctx, params)))
        else:
            out.append((position, spec_of(arg.value, ctx, params)))
            position += 1
    return tuple(out)


def evaluate(spec: Spec, env: Dict[str, FrozenSet[str]]) -> FrozenSet[str]:
    """The abstract values a spec may take when the parameters hold ``env``'s values (a
    parameter missing from ``env`` may hold anything)."""
    kind = spec[0] if spec else "?"
    if kind == "const":
        return frozenset({spec[1]})
    if kind == "param":
        return env.get(spec[1], ANY)
    if kind == "not":
        v = evaluate(spec[1], env)
        return frozenset(({FALSY} if TRUTHY in v else set()) | ({TRUTHY} if v & {NONE, FALSY} else set()))
    if kind in ("and", "or"):
        left = evaluate(spec[1], env)
        falsy = left & {NONE, FALSY}
        truthy = left & {TRUTHY}
        if kind == "and":
            return frozenset(falsy | (evaluate(spec[2], env) if truthy else set()))
        return frozenset(truthy | (evaluate(spec[2], env) if falsy else set()))
    if kind == "if":
        test = evaluate(spec[1], env)
        out = set()
        if TRUTHY in test:
            out |= evaluate(spec[2], env)
        if test & {NONE, FALSY}:
            out |= evaluate(spec[3], env)
        return frozenset(out)
    if kind in ("isnone", "notnone"):
        v = evaluate(spec[1], env)
        yes, no = (NONE in v), bool(v - {NONE})
        if kind == "notnone":
            yes, no = no, yes
        return frozenset(({TRUTHY} if yes else set()) | ({FALSY} if no else set()))
    return ANY


def possible(conditions: Iterable[Tuple[Spec, bool]], env: Dict[str, FrozenSet[str]]) -> bool:
    """Whether every (test, taken) of a branch path may hold (each test judged alone: a path is
    dropped only when one of its tests surely goes the other way)."""
    for spec, taken in conditions:
        v = evaluate(spec, env)
        if taken and TRUTHY not in v:
            return False
        if not taken and not (v & {NONE, FALSY}):
            return False
    return True


def param_table(params, ctx) -> tuple:
    """(name, position or None, default spec or None) per parameter of the walked function
    (``self`` included, at position 0); ``*args``/``**kwargs`` are left out."""
    out = []
    position = 0
    for p in params:
        if p.kind in ("star", "starstar"):
            continue
        default = spec_of(p.default, ctx, frozenset()) if p.default is not None else None
        if p.kind in ("posonly", "positional"):
            out.append((p.name, position, default))
            position += 1
        else:
            out.append((p.name, None, default))
    return tuple(out)
