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
from ..names import dotted_name
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


def _range_loop(stmt: cst.For, ctx) -> bool:
    """``for i in range(...)`` (the builtin, positional arguments only): ``i`` is an int."""
    it = stmt.iter
    return (isinstance(stmt.target, cst.Name) and isinstance(it, cst.Call) and 1 <= len(it.args) <= 3
            and all(a.keyword is None and not a.star for a in it.args)
            and ctx.resolve(it.func) == "builtins.range")


def bindings_of(ctx) -> Dict[str, List[Optional[cst.CSTNode]]]:
    """Every place a compiled function binds each name: value expressions, Annotation nodes
    (annotated assignments), AugAssign nodes, the For node of ``for i in range(...)`` (an int),
    or None for bindings whose value is unknown (unpacking, other loop targets, ``with ... as``).
    Statement-level walk: cheap."""
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
                    if _range_loop(stmt, ctx):
                        found.setdefault(stmt.target.value, []).append(stmt)  # an int per iteration
                    else:
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
        elif isinstance(site, cst.For):
            out.append("int")  # the target of `for i in range(...)` (bindings_of)
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
        nt = namedtuple_field(node, ctx)
        if nt is not None:  # a NamedTuple's field has its annotated type (a namedtuple()'s: Tensor)
            field = nt[1]
            if field is None:
                return None
            return "Tensor" if field.annotation is None else annotation_cat(field.annotation, ctx)
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


# ---- NamedTuples --------------------------------------------------------------------------
# What torch.jit.script does with a NamedTuple (each held against torch 2.13 by
# tests/test_type_checker.py and the JIT164/JIT165 examples): the constructor is schema-matched
# like a def whose parameters are the fields (``P(int x, Tensor y=...)``), a field read has the
# field's annotated type, a ``collections.namedtuple`` field is a Tensor, and only the fields
# exist on an instance (methods, class attributes, ``_replace``/``_asdict``/``_fields``, tuple
# methods are "no attribute or method"); fields cannot be assigned.

_NAMEDTUPLE_BASES = frozenset({"typing.NamedTuple", "typing_extensions.NamedTuple"})
_COLLECTIONS_NAMEDTUPLE = "collections.namedtuple"


class NamedTupleField:
    __slots__ = ("name", "annotation", "has_default", "default")

    def __init__(self, name: str, annotation: Optional[cst.BaseExpression], has_default: bool,
                 default: Optional[cst.BaseExpression] = None):
        # annotation None: a collections.namedtuple field, which TorchScript types as Tensor
        self.name, self.annotation, self.has_default, self.default = name, annotation, has_default, default


class NamedTupleDef:
    """A NamedTuple the file defines once, at top level, in a form the checker reads whole."""

    __slots__ = ("name", "fields", "node", "form")

    def __init__(self, name: str, fields: Tuple[NamedTupleField, ...], node: cst.CSTNode, form: str):
        self.name, self.fields, self.node, self.form = name, fields, node, form  # form: class|typing|collections

    def field(self, name: str) -> Optional[NamedTupleField]:
        return next((f for f in self.fields if f.name == name), None)


def _string(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - malformed literal
            return None
        return value if isinstance(value, str) else None
    return None


def _class_namedtuple(cls: cst.ClassDef, names) -> Optional[NamedTupleDef]:
    if cls.decorators or cls.keywords or len(cls.bases) != 1 or cls.bases[0].keyword is not None:
        return None
    base = dotted_name(cls.bases[0].value)
    if base is None or names.resolve(base) not in _NAMEDTUPLE_BASES:
        return None
    if not isinstance(cls.body, cst.IndentedBlock):
        return None
    fields: List[NamedTupleField] = []
    for stmt in cls.body.body:
        if isinstance(stmt, cst.FunctionDef):
            continue  # a method: not a field (and not an attribute TorchScript knows)
        if not isinstance(stmt, cst.SimpleStatementLine):
            return None
        for small in stmt.body:
            if isinstance(small, cst.AnnAssign):
                if not isinstance(small.target, cst.Name):
                    return None
                ann = small.annotation.annotation
                head = dotted_name(ann.value if isinstance(ann, cst.Subscript) else ann)
                if head is not None and (names.resolve(head) or head) in ("typing.ClassVar", "ClassVar"):
                    return None
                if small.value is None and fields and fields[-1].has_default:
                    return None  # a TypeError when Python creates the class
                fields.append(NamedTupleField(small.target.value, ann, small.value is not None, small.value))
            elif isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString,
                                                                          cst.Ellipsis)):
                continue
            elif isinstance(small, (cst.Pass, cst.Assign)):
                continue  # a class attribute is no field
            else:
                return None
    if len({f.name for f in fields}) != len(fields):
        return None
    return NamedTupleDef(cls.name.value, tuple(fields), cls, "class")


def _functional_namedtuple(target: str, call: cst.Call, names) -> Optional[NamedTupleDef]:
    qual = names.resolve(dotted_name(call.func))
    if qual not in _NAMEDTUPLE_BASES and qual != _COLLECTIONS_NAMEDTUPLE:
        return None
    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = [a for a in call.args if a.keyword is not None]
    if len(positional) != 2 or len(positional) + len(keywords) != len(call.args) or _string(
            positional[0].value) != target:
        return None
    spec = positional[1].value
    fields: List[NamedTupleField] = []
    if qual in _NAMEDTUPLE_BASES:
        if keywords or not isinstance(spec, (cst.List, cst.Tuple)):
            return None
        for el in spec.elements:
            pair = el.value
            if (isinstance(el, cst.StarredElement) or not isinstance(pair, cst.Tuple) or len(pair.elements) != 2
                    or any(isinstance(e, cst.StarredElement) for e in pair.elements)):
                return None
            name = _string(pair.elements[0].value)
            if name is None or not name.isidentifier():
                return None
            fields.append(NamedTupleField(name, pair.elements[1].value, False))
        form = "typing"
    else:
        if isinstance(spec, (cst.List, cst.Tuple)):
            raw = [None if isinstance(e, cst.StarredElement) else _string(e.value) for e in spec.elements]
        else:
            text = _string(spec)
            raw = text.replace(",", " ").split() if text is not None else [None]
        if any(r is None or not r.isidentifier() or r.startswith("_") for r in raw):
            return None
        n_defaults = 0
        for kw in keywords:
            if kw.keyword.value != "defaults" or not isinstance(kw.value, (cst.List, cst.Tuple)) or any(
                    isinstance(e, cst.StarredElement) for e in kw.value.elements):
                return None
            n_defaults = len(kw.value.elements)
        if n_defaults > len(raw):
            return None
        defaults = list(kw.value.elements) if n_defaults else []
        fields = [NamedTupleField(r, None, i >= len(raw) - n_defaults,
                                  defaults[i - (len(raw) - n_defaults)].value if i >= len(raw) - n_defaults else None)
                  for i, r in enumerate(raw)]
        form = "collections"
    if len({f.name for f in fields}) != len(fields):
        return None
    return NamedTupleDef(target, tuple(fields), call, form)


def _module_bindings(module: cst.Module) -> Dict[str, int]:
    """How many statements anywhere in the file may bind each name at module level (over-
    counting is safe: a name bound twice is not a NamedTuple the checker knows)."""
    counts: Dict[str, int] = {}

    def bind(target) -> None:
        for m in (target, *iter_descendants(target)):
            if isinstance(m, cst.Name):
                counts[m.value] = counts.get(m.value, 0) + 1

    for node in iter_descendants(module):
        if isinstance(node, cst.Assign):
            for t in node.targets:
                bind(t.target)
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            bind(node.target)
        elif isinstance(node, (cst.For, cst.CompFor)):
            bind(node.target)
        elif isinstance(node, cst.AsName):
            bind(node.name)
        elif isinstance(node, cst.NamedExpr):
            bind(node.target)
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            counts[node.name.value] = counts.get(node.name.value, 0) + 1
        elif isinstance(node, cst.ImportAlias) and node.asname is None:
            head = dotted_name(node.name)
            if head is not None:
                head = head.split(".", 1)[0]
                counts[head] = counts.get(head, 0) + 1
        elif isinstance(node, cst.Global):
            for n in node.names:
                counts[n.name.value] = counts.get(n.name.value, 0) + 2
    return counts


def namedtuple_defs(ctx) -> Dict[str, NamedTupleDef]:
    """The NamedTuples the file defines at top level, by name, each bound exactly once in the
    file (a class from another file, a rebound name or a form not read whole is absent)."""
    file = ctx.file
    found = file.scratch.get("namedtuples")
    if found is not None:
        return found
    names = file.names
    candidates: Dict[str, NamedTupleDef] = {}
    for stmt in file.module.body:
        nt = None
        if isinstance(stmt, cst.ClassDef) and stmt.bases:
            nt = _class_namedtuple(stmt, names)
        elif (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
              and isinstance(stmt.body[0], cst.Assign) and len(stmt.body[0].targets) == 1
              and isinstance(stmt.body[0].targets[0].target, cst.Name)
              and isinstance(stmt.body[0].value, cst.Call)):
            nt = _functional_namedtuple(stmt.body[0].targets[0].target.value, stmt.body[0].value, names)
        if nt is not None:
            candidates[nt.name] = nt
    if candidates:
        counts = _module_bindings(file.module)
        candidates = {k: v for k, v in candidates.items() if counts.get(k) == 1}
    file.scratch["namedtuples"] = candidates
    return candidates


def namedtuple_named(node: cst.BaseExpression, ctx) -> Optional[NamedTupleDef]:
    """The NamedTuple a plain name (a constructor or an annotation) denotes in this function."""
    if isinstance(node, cst.SimpleString):
        text = _string(node)
        if text is None or not text.isidentifier():
            return None
        node = cst.Name(text)
    if not isinstance(node, cst.Name):
        return None
    if ctx.infer is not None and node.value in ctx.infer.locals:
        return None
    if ctx.function is not None and any(p.name == node.value for p in ctx.function.params):
        return None
    return namedtuple_defs(ctx).get(node.value)


def _nt_constructed(node: cst.BaseExpression, ctx) -> Optional[NamedTupleDef]:
    if isinstance(node, cst.Call) and not any(a.star for a in node.args):
        return namedtuple_named(node.func, ctx)
    return None


def namedtuple_of(node: cst.BaseExpression, ctx, depth: int = 0) -> Optional[NamedTupleDef]:
    """The NamedTuple ``node`` certainly is an instance of: a constructor call, a parameter
    annotated with the class (never rebound), a local every binding of which constructs it or
    is annotated with it, or a field annotated with it; None otherwise."""
    if depth > _MAX_DEPTH or ctx.function is None or not namedtuple_defs(ctx):
        return None  # (most files define no NamedTuple: one dict lookup)
    if isinstance(node, cst.Call):
        return _nt_constructed(node, ctx)
    if isinstance(node, cst.Attribute):
        owner = namedtuple_of(node.value, ctx, depth + 1)
        field = owner.field(node.attr.value) if owner is not None else None
        if field is None or field.annotation is None:
            return None
        return namedtuple_named(field.annotation, ctx)
    if not isinstance(node, cst.Name) or ctx.infer is None or node.value not in ctx.infer.locals:
        return None
    sites = bindings_of(ctx).get(node.value, [])
    param = next((p for p in ctx.function.params if p.name == node.value), None)
    found: List[Optional[NamedTupleDef]] = []
    if param is not None:
        if param.kind in ("star", "starstar") or param.annotation is None:
            return None
        found.append(namedtuple_named(param.annotation.annotation, ctx))
    elif not sites:
        return None
    for site in sites:
        if isinstance(site, cst.Annotation):
            found.append(namedtuple_named(site.annotation, ctx))
        elif isinstance(site, cst.BaseExpression):
            found.append(_nt_constructed(site, ctx))
        else:
            return None  # unknown binding or augmented assignment
    if not found or any(f is None for f in found) or any(f is not found[0] for f in found):
        return None
    return found[0]


def namedtuple_field(node: cst.Attribute, ctx) -> Optional[Tuple[NamedTupleDef, Optional[NamedTupleField]]]:
    """(the NamedTuple, its field or None when it has no such field) for ``p.attr`` on a
    certain NamedTuple instance; None when the owner is not one."""
    owner = namedtuple_of(node.value, ctx)
    if owner is None:
        return None
    return owner, owner.field(node.attr.value)
