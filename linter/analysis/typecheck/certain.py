"""TorchScript's static type of an expression, when it is certain (else None: precision first).

A small, conservative classifier (``Cat``) over annotations, literals, torch calls and the
bindings of a compiled function; the JIT107/JIT111/JIT115/JIT116 rules ask it whether two
values of a name or a return can disagree in type.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple, Union

import libcst as cst

from .. import torch_api
from .inference import annotation_type
from ..syntax import iter_descendants
from .lattice import TENSOR, kind

Cat = Union[str, Tuple, None]  # "Tensor" | "int" | "float" | "bool" | "str" | "None" | ("tuple", (..)) | ("list", c)


# Tensor methods/torch functions that return a Tensor for sure (tuple-returning overloads such
# as max(dim=...), sort, topk, unique(return_counts=...) are deliberately absent).
_TENSOR_METHODS = frozenset(
    "abs add addmm all amax amin any argmax argmin bmm ceil chunk_ clamp clamp_min clamp_max clone contiguous cos "
    "cpu cuda cumsum detach div double exp expand expand_as fill_ flatten flip float floor gather half int "
    "log log_softmax long masked_fill matmul mean mm mul narrow ne neg new_empty new_full new_ones new_zeros "
    "norm permute pow reciprocal relu repeat reshape reshape_as round rsqrt scatter select sigmoid sign sin "
    "softmax sqrt square squeeze sub sum t tanh to transpose tril triu type_as unflatten unsqueeze view view_as "
    "where zero_ add_ mul_ sub_ div_ copy_ masked_fill_ clamp_ eq gt lt ge le logical_and logical_or "
    "logical_not bitwise_and bitwise_or isnan isinf isfinite nan_to_num prod index_select roll".split()
)


_TENSOR_FUNCTIONS = frozenset(
    "abs add arange bmm cat clamp clone cos cumsum div einsum empty empty_like exp eye flatten full full_like "
    "gather log log_softmax matmul mean mm mul ones ones_like outer permute pow rand rand_like randn randn_like "
    "reshape relu sigmoid sin softmax sqrt square squeeze stack sub sum tanh tensor transpose tril triu "
    "unsqueeze where zeros zeros_like as_tensor from_numpy bernoulli multinomial masked_fill baddbmm addmm "
    "linspace logsumexp isnan isinf isfinite flip roll repeat_interleave index_select".split()
)


_FUNCTIONAL = frozenset(
    "relu gelu silu elu leaky_relu softplus sigmoid tanh softmax log_softmax linear conv1d conv2d conv3d "
    "layer_norm group_norm batch_norm dropout interpolate pad normalize embedding cross_entropy mse_loss "
    "l1_loss smooth_l1_loss nll_loss binary_cross_entropy binary_cross_entropy_with_logits avg_pool2d "
    "adaptive_avg_pool2d adaptive_avg_pool1d hardswish hardsigmoid mish glu one_hot "
    "scaled_dot_product_attention".split()
)


_INT_METHODS = frozenset({"dim", "numel", "ndimension", "element_size", "get_device"})


_NOT_MODULE_TENSOR = frozenset({"Sequential", "Identity", "ModuleList", "ModuleDict", "ParameterList",
                                "ParameterDict"})


_MATH_INT = frozenset({"floor", "ceil", "factorial", "gcd"})


_MAX_DEPTH = 6


def annotation_cat(annotation, ctx) -> Cat:
    t = annotation_type(annotation, ctx.names)
    return _cat_of_type(t)


def _cat_of_type(t) -> Cat:
    if t is None:
        return None
    k = kind(t)
    if t == TENSOR:
        return "Tensor"
    if k in ("int", "float", "bool", "str"):
        return k
    if k == "none":
        return "None"
    if k == "list":
        inner = _cat_of_type(t[1])
        return ("list", inner) if inner is not None else None
    if k == "tuple" and t[1] is not None:
        return ("tuple", tuple(_cat_of_type(e) for e in t[1]))
    return None


def bindings_of(ctx) -> Dict[str, List[Optional[cst.CSTNode]]]:
    """Every place a compiled function binds each name: value expressions, Annotation nodes
    (annotated assignments), AugAssign nodes, or None for bindings whose value is unknown
    (unpacking, loop targets, ``with ... as``). Statement-level walk: cheap."""
    scratch = ctx.scratch.setdefault("confident", {})
    found = scratch.get("bindings")
    if found is not None:
        return found
    found = {}

    def unknown(target: cst.CSTNode) -> None:
        for m in (target, *iter_descendants(target)):
            if isinstance(m, cst.Name):
                found.setdefault(m.value, []).append(None)

    def walk(stmts) -> None:
        for stmt in stmts:
            if isinstance(stmt, cst.SimpleStatementLine):
                for n in stmt.body:
                    if isinstance(n, cst.Assign):
                        for t in n.targets:
                            if isinstance(t.target, cst.Name):
                                found.setdefault(t.target.value, []).append(n.value)
                            elif isinstance(t.target, (cst.Tuple, cst.List)):
                                unknown(t.target)
                    elif isinstance(n, cst.AnnAssign) and isinstance(n.target, cst.Name):
                        found.setdefault(n.target.value, []).append(n.annotation)
                    elif isinstance(n, cst.AugAssign) and isinstance(n.target, cst.Name):
                        found.setdefault(n.target.value, []).append(n)
                    elif isinstance(n, (cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal, cst.Del)):
                        unknown(n)
            elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                found.setdefault(stmt.name.value, []).append(None)
            elif isinstance(stmt, cst.If):
                walk(stmt.body.body)
                if stmt.orelse is not None:
                    walk([stmt.orelse] if isinstance(stmt.orelse, cst.If) else stmt.orelse.body.body)
            elif isinstance(stmt, (cst.For, cst.While)):
                if isinstance(stmt, cst.For):
                    unknown(stmt.target)
                walk(stmt.body.body)
                if stmt.orelse is not None:
                    walk(stmt.orelse.body.body)
            elif isinstance(stmt, cst.With):
                for item in stmt.items:
                    if item.asname is not None:
                        unknown(item.asname.name)
                walk(stmt.body.body)
            else:  # try, match: whatever they bind is unknown
                for m in iter_descendants(stmt):
                    if isinstance(m, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.AsName, cst.For,
                                      cst.MatchAs, cst.ExceptHandler)):
                        unknown(m)
    fn = ctx.function.node if ctx.function is not None else None
    if fn is not None and isinstance(fn.body, cst.IndentedBlock):
        walk(fn.body.body)
    scratch["bindings"] = found
    return found


def _name_cat(name: str, ctx, depth: int, visiting: set) -> Cat:
    info = ctx.function
    if info is None or name in visiting:
        return None
    param = next((p for p in info.params if p.name == name), None)
    sites = bindings_of(ctx).get(name, [])
    cats = []
    if param is not None:
        if param.kind in ("star", "starstar") or param.type == ("self",):
            return None
        if param.annotation is not None:
            cats.append(annotation_cat(param.annotation, ctx))
        elif param.default is None:
            cats.append("Tensor")  # TorchScript types unannotated parameters as Tensor
        else:
            return None
    elif not sites:
        return None
    if any(site is None for site in sites):
        return None
    fixed = list(cats)
    inner = visiting | {name}
    cats = fixed + _site_cats(sites, ctx, depth, inner)
    if cats and any(c is None for c in cats):
        # `x = x + 1` reads the name it binds: assume the type the other bindings agree on and
        # keep it only if every binding then yields it (the compiler fixes the type likewise)
        known = [c for c in cats if c is not None]
        if known and all(c == known[0] for c in known):
            inner = visiting | {name, (name, known[0])}
            cats = fixed + _site_cats(sites, ctx, depth, inner)
    visiting = inner
    augmented = [site for site in sites if isinstance(site, cst.AugAssign)]
    if not cats or any(c is None for c in cats) or any(c != cats[0] for c in cats):
        return None
    for aug in augmented:
        # `v op= value` rebinds v to the result: it keeps v's type only for these pairs
        value = _cat(aug.value, ctx, depth + 1, visiting)
        keeps = {"Tensor": ("Tensor", "int", "float", "bool"), "int": ("int",), "float": ("int", "float"),
                 "str": ("str",)}.get(cats[0], ())
        if value not in keeps or isinstance(aug.operator, (cst.DivideAssign, cst.PowerAssign, cst.ModuloAssign)):
            return None
    return cats[0]


def _site_cats(sites, ctx, depth: int, visiting) -> List[Cat]:
    out = []
    for site in sites:
        if isinstance(site, cst.Annotation):
            out.append(annotation_cat(site, ctx))
        elif not isinstance(site, cst.AugAssign):
            out.append(_cat(site, ctx, depth + 1, visiting))
    return out


def _module_attr_is_tensor_layer(attr: str, ctx) -> bool:
    facts = ctx.class_facts
    if facts is None:
        return False
    t = facts.attr_types.get(attr)
    if kind(t) != "module":
        return False
    qual = str(t[1])
    return (qual.startswith("torch.nn.") and qual not in torch_api.TUPLE_RETURNING_MODULES
            and qual.rsplit(".", 1)[-1] not in _NOT_MODULE_TENSOR)


def _call_cat(node: cst.Call, ctx, depth: int, visiting: set) -> Cat:
    func = node.func
    if isinstance(func, cst.Name) and func.value in ctx.file.function_returns:
        binding = ctx.names.bindings.get(func.value)
        if binding is not None and binding.kind == "function" and func.value not in ctx.infer.locals:
            return _cat_of_type(ctx.file.function_returns[func.value])
    qual = ctx.resolve(func)
    if qual is not None:
        if qual.startswith("builtins."):
            name = qual[9:]
            if name in ("int", "len"):
                return "int"
            if name in ("float", "bool", "str"):
                return name
            if name == "round" and len(node.args) == 1:
                return "float" if _cat(node.args[0].value, ctx, depth + 1, visiting) == "float" else None
            return None
        if qual.startswith("math."):
            fn = qual[5:]
            if fn in torch_api.MATH_SUPPORTED:
                return "int" if fn in _MATH_INT else "float"
            return None
        if qual.startswith("torch.nn.functional."):
            return "Tensor" if qual[20:] in _FUNCTIONAL else None
        if qual.startswith("torch.") and qual.count(".") == 1:
            return "Tensor" if qual[6:] in _TENSOR_FUNCTIONS else None
        return None
    if isinstance(func, cst.Attribute):
        owner, method = func.value, func.attr.value
        if isinstance(owner, cst.Name) and owner.value == "self":
            facts = ctx.class_facts
            if facts is not None and method not in facts.attr_types and method in facts.method_returns:
                return _cat_of_type(facts.method_returns[method])
            return "Tensor" if _module_attr_is_tensor_layer(method, ctx) else None
        owner_cat = _cat(owner, ctx, depth + 1, visiting)
        if owner_cat == "Tensor":
            if method in _TENSOR_METHODS:
                return "Tensor"
            if method in _INT_METHODS or (method == "size" and len(node.args) == 1):
                return "int"
            if method == "size" and not node.args:
                return ("list", "int")
            return None
        if owner_cat == "str" and method in ("upper", "lower", "strip", "replace", "format", "join"):
            return "str"
    return None


def _cat(node: cst.BaseExpression, ctx, depth: int = 0, visiting: frozenset = frozenset()) -> Cat:
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, cst.Integer):
        return "int"
    if isinstance(node, cst.Float):
        return "float"
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return "str" if not (isinstance(node, cst.SimpleString) and node.prefix.lower().startswith("b")) else None
    if isinstance(node, cst.Name):
        if node.value in ("True", "False"):
            return "bool"
        if node.value == "None":
            return "None"
        if ctx.infer is not None and node.value not in ctx.infer.locals:
            return None  # a global or builtin name
        if len(visiting) > 1:
            for v in visiting:
                if isinstance(v, tuple) and v[0] == node.value:
                    return v[1]  # the type assumed for a binding that reads its own name
        return _name_cat(node.value, ctx, depth, visiting)
    if isinstance(node, cst.UnaryOperation):
        inner = _cat(node.expression, ctx, depth + 1, visiting)
        if isinstance(node.operator, cst.Not):
            return "bool" if inner in ("bool", "int", "float", "str") else None
        if isinstance(node.operator, (cst.Minus, cst.Plus)):
            return inner if inner in ("int", "float", "Tensor") else None
        return "Tensor" if inner == "Tensor" else None
    if isinstance(node, cst.BinaryOperation):
        left = _cat(node.left, ctx, depth + 1, visiting)
        right = _cat(node.right, ctx, depth + 1, visiting)
        op = node.operator
        if "Tensor" in (left, right):
            # Tensor <op> anything that compiles is a Tensor
            return "Tensor"
        if left in ("int", "float") and right in ("int", "float"):
            if isinstance(op, (cst.Divide, cst.Power)):
                return "float"
            if isinstance(op, (cst.Add, cst.Subtract, cst.Multiply, cst.FloorDivide, cst.Modulo)):
                return "float" if "float" in (left, right) else "int"
            return None
        if left == right == "str" and isinstance(op, cst.Add):
            return "str"
        return None
    if isinstance(node, cst.Comparison):
        cats = [_cat(node.left, ctx, depth + 1, visiting)] + [
            _cat(c.comparator, ctx, depth + 1, visiting) for c in node.comparisons]
        if all(c in ("int", "float", "bool", "str") for c in cats):
            return "bool"
        if all(isinstance(c.operator, (cst.Is, cst.IsNot)) for c in node.comparisons):
            return "bool"
        return None
    if isinstance(node, cst.Tuple):
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            return None
        return ("tuple", tuple(_cat(e.value, ctx, depth + 1, visiting) for e in node.elements))
    if isinstance(node, cst.List):
        if not node.elements or any(isinstance(e, cst.StarredElement) for e in node.elements):
            return None
        elems = [_cat(e.value, ctx, depth + 1, visiting) for e in node.elements]
        return ("list", elems[0]) if elems[0] is not None and all(e == elems[0] for e in elems) else None
    if isinstance(node, cst.Subscript):
        base = _cat(node.value, ctx, depth + 1, visiting)
        if base == "Tensor":
            return "Tensor"
        if base == ("list", "int") and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            return "int"
        if (isinstance(node.value, cst.Attribute) and node.value.attr.value == "shape"
                and _cat(node.value.value, ctx, depth + 1, visiting) == "Tensor"
                and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index)):
            return "int"
        return None
    if isinstance(node, cst.Attribute):
        if isinstance(node.value, cst.Name) and node.value.value == "self":
            facts = ctx.class_facts
            t = facts.attr_types.get(node.attr.value) if facts is not None else None
            return "Tensor" if t == TENSOR else None
        base = _cat(node.value, ctx, depth + 1, visiting)
        if base == "Tensor":
            if node.attr.value == "shape":
                return ("list", "int")
            if node.attr.value in ("ndim",):
                return "int"
            if node.attr.value in ("T", "mT", "data", "real", "imag"):
                return "Tensor"
        return None
    if isinstance(node, cst.Call):
        return _call_cat(node, ctx, depth, visiting)
    return None


def confident_type(node: cst.BaseExpression, ctx) -> Cat:
    """TorchScript's static type of ``node`` when it is certain, else None."""
    return _cat(node, ctx)


def article(c: Cat) -> str:
    if isinstance(c, tuple) and c[0] == "tuple" and any(e is None for e in c[1]):
        return f"a {len(c[1])}-element tuple"
    text = describe(c)
    return ("an " if text[:1] in "aeiouAEIOU" else "a ") + f"`{text}`"


def describe(c: Cat) -> str:
    if isinstance(c, tuple):
        if c[0] == "tuple":
            return "Tuple[" + ", ".join(describe(e) for e in c[1]) + "]"
        return f"List[{describe(c[1])}]"
    return str(c) if c is not None else "?"


def conflict(a: Cat, b: Cat) -> bool:
    """True when TorchScript cannot unify ``a`` and ``b`` (None/unknown parts never conflict)."""
    if a is None or b is None or a == "None" or b == "None":
        return False
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0]:
        if a[0] == "tuple":
            if len(a[1]) != len(b[1]):
                return True
            return any(conflict(x, y) for x, y in zip(a[1], b[1]))
        return conflict(a[1], b[1])
    return a != b
