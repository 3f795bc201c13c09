"""TorchScript's own types and its subtype relation (c10's ``isSubtypeOf``), for the checks
that hold a value against an annotation.

Types are plain strings and tuples, spelled the way the compiler prints them:

- atoms: ``"Tensor"``, ``"int"``, ``"float"``, ``"bool"``, ``"str"``, ``"NoneType"``,
  ``"number"`` (a Scalar, e.g. ``x.item()``), ``"Any"``;
- ``("Optional", T)``, ``("Union", (T, ...))``, ``("List", T)``, ``("Dict", K, V)``,
  ``("Tuple", (T, ...))``; ``("NamedTuple", name, ((field, T), ...))`` for a NamedTuple of the
  file (typecheck/certain.py), its declared field types whatever the constructor was given;
- ``None``: unknown. Every function here answers ``None`` (not ``False``) when a part is
  unknown, and the rules stay silent on ``None`` (precision first).

What the compiler does (each held against torch 2.13 by ``tests/test_type_checker.py``):
``int`` is not a ``float`` (``z: float = 4`` is rejected), ``bool`` is not an ``int``,
``NoneType`` fits only ``Optional``/``Union`` with ``None``, ``List``/``Dict`` are invariant
(``List[int]`` is not ``List[Optional[int]]``), ``Tuple`` is covariant. A list, dict or tuple
*literal*'s elements are typed on their own and each must fit the annotation's element type:
``List[Optional[int]] = [1, 2]`` compiles, ``List[float] = [1, 2]`` does not, and a nested
``[]`` is a ``List[Tensor]`` (``List[List[int]] = [[], [1]]`` is rejected); only a top-level
empty literal takes the annotation's type.
"""

from __future__ import annotations

from typing import Optional, Tuple, Union

import libcst as cst

from ..names import NameTable, dotted_name
from .certain import bindings_of, confident_type, namedtuple_field, namedtuple_named, namedtuple_of

TSType = Union[str, Tuple, None]

TENSOR = "Tensor"
NONE_T = "NoneType"
NUMBER = "number"
ANY = "Any"
NAMED = "NamedTuple"

_ATOMS = {
    "int": "int", "float": "float", "bool": "bool", "str": "str", "None": NONE_T,
    "torch.Tensor": TENSOR, "Tensor": TENSOR, "torch.nn.Parameter": TENSOR,
    "torch.nn.parameter.Parameter": TENSOR, "typing.Any": ANY, "Any": ANY,
}
_GENERICS = {
    "List": "List", "list": "List", "typing.List": "List",
    "Dict": "Dict", "dict": "Dict", "typing.Dict": "Dict",
    "Tuple": "Tuple", "tuple": "Tuple", "typing.Tuple": "Tuple",
    "Optional": "Optional", "typing.Optional": "Optional",
    "Union": "Union", "typing.Union": "Union",
}


def parse_annotation(node: Optional[cst.BaseExpression], names: Optional[NameTable]) -> TSType:
    """The TorchScript type an annotation expression denotes, or None when not understood
    (user classes, aliases, ``Tuple[int, ...]``, strings that do not parse...)."""
    if node is None:
        return None
    if isinstance(node, cst.Annotation):
        node = node.annotation
    if isinstance(node, cst.SimpleString):
        try:
            text = node.evaluated_value
            node = cst.parse_expression(text) if isinstance(text, str) else None
        except Exception:  # noqa: BLE001 - not an annotation we can read
            return None
        if node is None:
            return None
    if isinstance(node, cst.Name) and node.value == "None":
        return NONE_T
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        left, right = parse_annotation(node.left, names), parse_annotation(node.right, names)
        return make_union((left, right)) if left is not None and right is not None else None
    if isinstance(node, cst.Subscript):
        generic = _generic(node.value, names)
        args = []
        for el in node.slice:
            if not isinstance(el.slice, cst.Index):
                return None
            args.append(el.slice.value)
        if generic is None or any(isinstance(a, cst.Ellipsis) for a in args):
            return None
        if generic == "Tuple" and len(args) == 1 and isinstance(args[0], cst.Tuple) and not args[0].elements:
            return ("Tuple", ())
        parsed = [parse_annotation(a, names) for a in args]
        if any(p is None for p in parsed):
            return None
        if generic == "List" and len(parsed) == 1:
            return ("List", parsed[0])
        if generic == "Dict" and len(parsed) == 2:
            return ("Dict", parsed[0], parsed[1])
        if generic == "Tuple":
            return ("Tuple", tuple(parsed))
        if generic == "Optional" and len(parsed) == 1:
            return make_union((parsed[0], NONE_T))
        if generic == "Union" and parsed:
            return make_union(tuple(parsed))
        return None
    return _named(node, names, _ATOMS)


def _generic(node: cst.BaseExpression, names: Optional[NameTable]) -> Optional[str]:
    return _named(node, names, _GENERICS)


def _named(node: cst.BaseExpression, names: Optional[NameTable], table: dict):
    """``table``'s entry for the name ``node`` spells, resolved through the file's imports
    (``builtins.`` dropped); None for a name bound to something else in this file."""
    name = dotted_name(node)
    if name is None:
        return None
    resolved = names.resolve(name) if names is not None else None
    if resolved is not None:
        if resolved.startswith("builtins."):
            resolved = resolved[9:]
        return table.get(resolved)
    if names is not None and name.split(".", 1)[0] in names.bindings:
        return None  # bound to something else in this file
    return table.get(name)


def make_union(members) -> TSType:
    """``Union[...]`` flattened and deduplicated; ``Optional[T]`` for ``Union[T, None]``; one
    member is that member."""
    flat = []
    for m in members:
        if m is None:
            return None
        parts = m[1] if isinstance(m, tuple) and m[0] == "Union" else (
            (m[1], NONE_T) if isinstance(m, tuple) and m[0] == "Optional" else (m,))
        for p in parts:
            if p not in flat:
                flat.append(p)
    if len(flat) == 1:
        return flat[0]
    if len(flat) == 2 and NONE_T in flat:
        return ("Optional", next(p for p in flat if p != NONE_T))
    return ("Union", tuple(flat))


def _members(t: TSType):
    if isinstance(t, tuple) and t[0] == "Union":
        return t[1]
    if isinstance(t, tuple) and t[0] == "Optional":
        return (t[1], NONE_T)
    return (t,)


def same(a: TSType, b: TSType) -> Optional[bool]:
    """Are ``a`` and ``b`` the same type (None when a part is unknown)?"""
    if a is None or b is None:
        return None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if NAMED in (a[0], b[0]):
        if a[0] != b[0] or _field_names(a) != _field_names(b):
            return False
        return _all(same(x, y) for x, y in zip(_elements(a), _elements(b)))
    if a[0] != b[0]:
        if {a[0], b[0]} <= {"Optional", "Union"}:
            return _set_same(_members(a), _members(b))
        return False
    if a[0] in ("Union", "Optional"):
        return _set_same(_members(a), _members(b))
    if a[0] == "Tuple":
        if len(a[1]) != len(b[1]):
            return False
        return _all(same(x, y) for x, y in zip(a[1], b[1]))
    return _all(same(x, y) for x, y in zip(a[1:], b[1:]))


def _set_same(xs, ys) -> Optional[bool]:
    if any(x is None for x in (*xs, *ys)):
        return None
    if len(xs) != len(ys):
        return False
    return all(any(same(x, y) for y in ys) for x in xs)


def _all(results) -> Optional[bool]:
    out: Optional[bool] = True
    for r in results:
        if r is False:
            return False
        if r is None:
            out = None
    return out


def _any(results) -> Optional[bool]:
    out: Optional[bool] = False
    for r in results:
        if r is True:
            return True
        if r is None:
            out = None
    return out


def is_subtype(a: TSType, b: TSType) -> Optional[bool]:
    """Does a value of type ``a`` fit where ``b`` is expected (TorchScript's rules)?"""
    if a is None or b is None:
        return None
    if b == ANY or a == b:
        return True
    if a == ANY:
        return False
    if NUMBER in (a, b) and not (isinstance(b, str) or b[0] in ("Optional",)):
        return None  # number against unions: not modelled
    if isinstance(b, tuple) and b[0] in ("Optional", "Union"):
        if isinstance(a, tuple) and a[0] in ("Optional", "Union"):
            return _all(is_subtype(m, b) for m in _members(a))
        return _any(is_subtype(a, m) for m in _members(b))
    if isinstance(a, tuple) and a[0] in ("Optional", "Union"):
        return False  # b is neither Optional nor Union (nor Any)
    if isinstance(a, str) or isinstance(b, str):
        return False  # distinct atoms, or an atom against a container
    if NAMED in (a[0], b[0]):
        # a NamedTuple is a tuple with field names: it fits a Tuple of fitting elements, or a
        # NamedTuple with the same field names; a plain tuple never fits a NamedTuple
        if a[0] != NAMED or b[0] not in (NAMED, "Tuple"):
            return False
        if b[0] == NAMED and _field_names(a) != _field_names(b):
            return False
        if len(_elements(a)) != len(_elements(b)):
            return False
        return _all(is_subtype(x, y) for x, y in zip(_elements(a), _elements(b)))
    if a[0] != b[0]:
        return False
    if a[0] == "Tuple":
        if len(a[1]) != len(b[1]):
            return False
        return _all(is_subtype(x, y) for x, y in zip(a[1], b[1]))
    # List and Dict are invariant
    return _all(same(x, y) for x, y in zip(a[1:], b[1:]))


def _field_names(t) -> Tuple[str, ...]:
    return tuple(name for name, _ in t[2]) if t[0] == NAMED else ()


def _elements(t) -> Tuple:
    return tuple(ft for _, ft in t[2]) if t[0] == NAMED else t[1]


def namedtuple_type(nt, ctx) -> TSType:
    """The TorchScript type of a NamedTuple of the file (certain.NamedTupleDef), None when a
    field's annotation is not understood."""
    fields = []
    for f in nt.fields:
        t = TENSOR if f.annotation is None else parse_annotation(f.annotation, ctx.names)
        if t is None:
            return None
        fields.append((f.name, t))
    return (NAMED, nt.name, tuple(fields))


def annotation_hint(annotation, ctx) -> TSType:
    """``parse_annotation``, plus a bare NamedTuple of the file as its type."""
    node = annotation.annotation if isinstance(annotation, cst.Annotation) else annotation
    nt = namedtuple_named(node, ctx) if isinstance(node, (cst.Name, cst.SimpleString)) else None
    if nt is not None:
        return namedtuple_type(nt, ctx)
    return parse_annotation(annotation, ctx.names)


def spell(t: TSType) -> str:
    """The type as the compiler's messages print it."""
    if t is None:
        return "?"
    if isinstance(t, str):
        return t
    if t[0] == NAMED:
        return t[1]
    if t[0] in ("List", "Optional"):
        return f"{t[0]}[{spell(t[1])}]"
    if t[0] == "Dict":
        return f"Dict[{spell(t[1])}, {spell(t[2])}]"
    return f"{t[0]}[" + ", ".join(spell(m) for m in t[1]) + "]"


def from_cat(cat) -> TSType:
    """The certain category (typecheck/certain.py) as a TorchScript type."""
    if cat is None:
        return None
    if isinstance(cat, str):
        return {"None": NONE_T}.get(cat, cat) if cat in ("Tensor", "int", "float", "bool", "str", "None") else None
    if cat[0] == "list":
        inner = from_cat(cat[1])
        return ("List", inner) if inner is not None else None
    if cat[0] == "tuple":
        elems = tuple(from_cat(c) for c in cat[1])
        return ("Tuple", elems) if all(e is not None for e in elems) else None
    return None


def _is_item_call(node: cst.BaseExpression, ctx) -> bool:
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "item" and not node.args
            and confident_type(node.func.value, ctx) == "Tensor")


def value_type(node: cst.BaseExpression, ctx, hint: TSType = None) -> TSType:
    """The type the compiler gives ``node`` when it is emitted with ``hint`` (an annotation):
    literals of lists, dicts and tuples take their element types from the hint."""
    if isinstance(node, cst.Name) and node.value == "None":
        return NONE_T
    if isinstance(node, cst.List) and isinstance(hint, tuple) and hint[0] == "List":
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            return None
        if not node.elements:
            return hint
        elems = [_list_element_type(e.value, ctx) for e in node.elements]
        if any(e is None for e in elems):
            return None
        ok = _all(is_subtype(e, hint[1]) for e in elems)
        if ok is None:
            return None
        return hint if ok else ("List", make_union(elems))
    if isinstance(node, cst.Dict) and isinstance(hint, tuple) and hint[0] == "Dict":
        if not node.elements:
            return hint
        if any(not isinstance(e, cst.DictElement) for e in node.elements):
            return None
        keys = [value_type(e.key, ctx) for e in node.elements]
        values = [value_type(e.value, ctx) for e in node.elements]
        if any(t is None for t in (*keys, *values)):
            return None
        ok = _all([_all(is_subtype(k, hint[1]) for k in keys), _all(is_subtype(v, hint[2]) for v in values)])
        if ok is None:
            return None
        return hint if ok else ("Dict", make_union(keys), make_union(values))
    if isinstance(node, cst.Tuple) and isinstance(hint, tuple) and hint[0] == "Tuple":
        if any(isinstance(e, cst.StarredElement) for e in node.elements) or len(node.elements) != len(hint[1]):
            return from_cat(confident_type(node, ctx))
        elems = tuple(value_type(e.value, ctx, h) for e, h in zip(node.elements, hint[1]))
        return ("Tuple", elems) if all(e is not None for e in elems) else None
    if isinstance(hint, tuple) and hint[0] in ("Optional", "Union") and isinstance(node, (cst.List, cst.Dict,
                                                                                         cst.Tuple)):
        return None  # literals under a union hint: which member types them is not modelled
    if _is_item_call(node, ctx):
        return NUMBER
    if isinstance(node, cst.Name):
        declared = _declared_local(node.value, ctx)
        if declared is not None:
            return declared
    if isinstance(node, cst.Attribute):
        field = field_type(node, ctx)
        if field is not None:
            return field
    if isinstance(node, (cst.Name, cst.Call, cst.Attribute)):
        nt = namedtuple_of(node, ctx)
        if nt is not None:
            return namedtuple_type(nt, ctx)
    return from_cat(confident_type(node, ctx))


def field_type(node: cst.Attribute, ctx) -> TSType:
    """The type of ``p.field`` on a certain NamedTuple instance (typecheck/certain.py's
    ``namedtuple_of``): the field's annotation, Tensor for a ``collections.namedtuple`` field;
    None when the owner is not a known NamedTuple, has no such field or the annotation is
    not understood."""
    nt = namedtuple_field(node, ctx)
    if nt is None or nt[1] is None:
        return None
    return TENSOR if nt[1].annotation is None else parse_annotation(nt[1].annotation, ctx.names)


def _list_element_type(node: cst.BaseExpression, ctx) -> TSType:
    """An element of a list literal: the compiler types the elements without the annotation
    and checks their unified type against it, so a nested ``[]`` is a ``List[Tensor]`` even
    under ``List[List[int]]`` (rejected: "unified to Union[List[Tensor], List[int]]")."""
    if isinstance(node, cst.List) and not node.elements:
        return ("List", TENSOR)
    if isinstance(node, cst.Dict) and not node.elements:
        return None
    return value_type(node, ctx)


def _declared_local(name: str, ctx) -> TSType:
    """The annotation of a local every binding of which is ``name: T = ...`` with one ``T``
    (the compiler fixes the variable's type there); None otherwise."""
    if ctx.function is None or ctx.infer is None or name not in ctx.infer.locals:
        return None
    if any(p.name == name for p in ctx.function.params):
        return None
    sites = bindings_of(ctx).get(name, [])
    if not sites or not all(isinstance(s, cst.Annotation) for s in sites):
        return None
    types = {parse_annotation(s, ctx.names) for s in sites}
    return types.pop() if len(types) == 1 else None


def assignment_mismatch(annotation: cst.Annotation, value: cst.BaseExpression, ctx) -> Optional[Tuple[str, str]]:
    """(annotated, actual) spelled as the compiler prints them when ``name: annotation = value``
    is certainly rejected ("Variable 'x' is annotated with type A but is being assigned to a
    value of type B", or the list/dict literal forms of it); None when it compiles or when
    the checker cannot tell."""
    hint = annotation_hint(annotation, ctx)
    if hint is None:
        return None
    actual = value_type(value, ctx, hint)
    if actual is None or is_subtype(actual, hint) is not False:
        return None
    return spell(hint), spell(actual)


def _mentions(t: TSType, atoms) -> bool:
    if t is None:
        return True
    if isinstance(t, str):
        return t in atoms
    if t[0] == NAMED:
        return any(_mentions(m, atoms) for m in _elements(t))
    return any(_mentions(m, atoms) for m in (t[1] if t[0] in ("Tuple", "Union") else t[1:]))


def return_mismatch(annotation: cst.Annotation, value: cst.BaseExpression, ctx) -> Optional[Tuple[str, str]]:
    """(annotated, actual) when ``return value`` certainly violates the return annotation
    ("Return value was annotated as having type A but is actually of type B"). Returns allow
    the compiler's implicit conversions (a Tensor, a Scalar or a bool to ``int``/``float``, a
    str to a device), so wherever one might apply the answer is None."""
    hint = annotation_hint(annotation, ctx)
    if hint is None:
        return None
    actual = value_type(value, ctx, hint)
    if actual is None or _returns_fit(actual, hint) is not False:
        return None
    return spell(hint), spell(actual)


def _returns_fit(actual: TSType, hint: TSType) -> Optional[bool]:
    if is_subtype(actual, hint) is True:
        return True
    if isinstance(hint, tuple) and hint[0] == NAMED and not (isinstance(actual, tuple) and actual[0] == NAMED):
        return is_subtype(actual, hint)  # only a NamedTuple fits one: no conversion makes it
    if isinstance(actual, tuple) and actual[0] == NAMED and isinstance(hint, str):
        return is_subtype(actual, hint)  # no conversion makes a number of a tuple
    if isinstance(actual, tuple) and actual[0] == NAMED and isinstance(hint, tuple) and hint[0] in (NAMED, "Tuple"):
        if (hint[0] == NAMED and _field_names(actual) != _field_names(hint)) or len(_elements(actual)) != len(
                _elements(hint)):
            return False
        return _all(_returns_fit(a, h) for a, h in zip(_elements(actual), _elements(hint)))
    if isinstance(actual, tuple) and isinstance(hint, tuple) and actual[0] == hint[0] == "Tuple" \
            and len(actual[1]) == len(hint[1]):
        return _all(_returns_fit(a, h) for a, h in zip(actual[1], hint[1]))  # converted element-wise
    if actual in (TENSOR, NUMBER, "bool") and hint in ("int", "float"):
        return True  # FloatImplicit / IntImplicit / aten::Float / aten::Int
    if actual == "str" and hint in ("int", "float"):
        return False  # a str converts only to a device
    if _mentions(actual, (TENSOR, NUMBER, "bool", "str")) and _mentions(hint, ("int", "float")):
        return None  # a conversion inside a union or container: not modelled
    return is_subtype(actual, hint)
