"""Fast local type inference: which expressions are Tensors, shapes, Python numbers, ...

One forward pass per function, no fixpoints: the analyzer walks statements in order,
asks :meth:`Inferrer.type_of` about expressions and tells it about assignments. This is
deliberately local (one file, no imports followed) so that results can be cached per file.
mypy can refine parameter types in ``--types mypy`` mode; it does not know what
``self.fc(x)`` returns (``nn.Module.__call__`` is typed ``Any``), so the propagation here is
needed in both modes.
"""

from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

from .. import torch_api
from ..names import NameTable, dotted_name
from .lattice import (
    BOOL,
    DEVICE,
    DTYPE,
    FLOAT,
    INT,
    NONE,
    NUMBER,
    SBOOL,
    SINT,
    SIZE,
    STR,
    TENSOR,
    Type,
    join,
    kind,
    optional,
    strip_optional,
)

_SCALAR_ANNOTATIONS = {
    "int": INT, "float": FLOAT, "bool": BOOL, "str": STR, "None": NONE, "complex": FLOAT,
    "torch.Tensor": TENSOR, "Tensor": TENSOR, "torch.nn.Parameter": TENSOR,
    "torch.nn.parameter.Parameter": TENSOR, "torch.device": DEVICE, "torch.dtype": DTYPE,
    "torch.Size": SIZE, "torch.types.Number": NUMBER, "numbers.Number": NUMBER,
}
_GENERIC_ALIASES = {
    "List": "list", "list": "list", "Sequence": "list", "typing.List": "list",
    "typing.Sequence": "list", "Tuple": "tuple", "tuple": "tuple", "typing.Tuple": "tuple",
    "Dict": "dict", "dict": "dict", "typing.Dict": "dict", "Mapping": "dict",
    "Optional": "optional", "typing.Optional": "optional", "Union": "union", "typing.Union": "union",
}


def _subscript_args(node: cst.Subscript):
    out = []
    for el in node.slice:
        if isinstance(el.slice, cst.Index):
            out.append(el.slice.value)
    return out


def annotation_type(node: Optional[cst.BaseExpression], names: Optional[NameTable]) -> Type:
    """The jitlint type of an annotation expression (None when it is not understood)."""
    if node is None:
        return None
    if isinstance(node, cst.Annotation):
        node = node.annotation
    if isinstance(node, cst.SimpleString):
        try:
            text = node.evaluated_value
        except Exception:  # noqa: BLE001 - malformed string annotation
            return None
        if not isinstance(text, str):
            return None
        try:
            node = cst.parse_expression(text)
        except Exception:  # noqa: BLE001 - not an expression
            return None
    if isinstance(node, cst.Name) and node.value == "None":
        return NONE
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        left = annotation_type(node.left, names)
        right = annotation_type(node.right, names)
        if left == NONE:
            return optional(right)
        if right == NONE:
            return optional(left)
        return None
    if isinstance(node, cst.Subscript):
        base = dotted_name(node.value)
        resolved = (names.resolve(base) if names else None) or base
        generic = _GENERIC_ALIASES.get(base or "") or _GENERIC_ALIASES.get(
            (resolved or "").replace("typing.", "", 1) if resolved else ""
        )
        args = _subscript_args(node)
        if generic == "optional" and args:
            return optional(annotation_type(args[0], names))
        if generic == "union":
            types = [annotation_type(a, names) for a in args]
            if NONE in types and len(types) == 2:
                other = [t for t in types if t != NONE][0]
                return optional(other)
            return None
        if generic == "list" and args:
            return ("list", annotation_type(args[0], names))
        if generic == "tuple":
            return ("tuple", tuple(annotation_type(a, names) for a in args))
        if generic == "dict" and len(args) == 2:
            return ("dict", annotation_type(args[0], names), annotation_type(args[1], names))
        return None
    name = dotted_name(node)
    if name is None:
        return None
    if name in _SCALAR_ANNOTATIONS:
        return _SCALAR_ANNOTATIONS[name]
    resolved = names.resolve(name) if names else None
    if resolved in _SCALAR_ANNOTATIONS:
        return _SCALAR_ANNOTATIONS[resolved]
    if resolved and resolved.startswith("builtins."):
        return _SCALAR_ANNOTATIONS.get(resolved[9:])
    if resolved and torch_api.is_module_class_name(resolved):
        return ("module", resolved)
    return None


class ClassFacts:
    """What the analyzer learned about a class of this file (for ``self.x`` lookups)."""

    def __init__(self, qualname: str):
        self.qualname = qualname
        self.attr_types: Dict[str, Type] = {}
        self.method_returns: Dict[str, Type] = {}
        self.forward_return: Type = TENSOR
        self.is_module_guess = False
        # Attributes whose value the script compiler folds per instance: typing.Final /
        # __constants__ entries, and attributes that hold None in some instances (no Optional
        # class annotation). `if self.flag:` on them compiles only the branch that instance takes.
        self.constant_attrs: set = set()
        self.maybe_none_attrs: set = set()


class Inferrer:
    """Answers ``type_of(expr)`` given the current local environment."""

    def __init__(
        self,
        names: NameTable,
        function_returns: Dict[str, Type],
        classes: Dict[str, ClassFacts],
        current_class: Optional[ClassFacts],
    ):
        self.names = names
        self.function_returns = function_returns
        self.classes = classes
        self.current_class = current_class
        self.env: Dict[str, Type] = {}
        self.locals: set = set()

    # -- environment ------------------------------------------------------------------
    def bind(self, name: str, t: Type) -> None:
        self.env[name] = t
        self.locals.add(name)

    def snapshot(self) -> Dict[str, Type]:
        return dict(self.env)

    def restore(self, env: Dict[str, Type]) -> None:
        self.env = dict(env)

    def merge(self, a: Dict[str, Type], b: Dict[str, Type]) -> Dict[str, Type]:
        out = {}
        for k in a.keys() | b.keys():
            if k in a and k in b:
                out[k] = join(a[k], b[k])
            else:
                out[k] = None  # defined on one path only
        return out

    def resolve(self, node: cst.BaseExpression) -> Optional[str]:
        """Qualified name of a dotted expression unless its head is a local variable."""
        name = dotted_name(node)
        if name is None:
            return None
        if name.split(".", 1)[0] in self.locals:
            return None
        return self.names.resolve(name)

    # -- expressions --------------------------------------------------------------------
    # id(node) -> type from mypy (``--types mypy``); consulted when the local answer is unknown
    external: Optional[Dict[int, Type]] = None

    def type_of(self, node: cst.CSTNode) -> Type:
        t = self._local_type_of(node)
        if t is None and self.external:
            return self.external.get(id(node))
        return t

    def _local_type_of(self, node: cst.CSTNode) -> Type:  # noqa: C901 - one dispatch table
        if isinstance(node, cst.Name):
            v = node.value
            if v in self.env:
                return self.env[v]
            if v in ("True", "False"):
                return BOOL
            if v == "None":
                return NONE
            return None
        if isinstance(node, cst.Integer):
            return INT
        if isinstance(node, cst.Float):
            return FLOAT
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return STR
        if isinstance(node, cst.Attribute):
            return self._attribute(node)
        if isinstance(node, cst.Subscript):
            return self._subscript(node)
        if isinstance(node, cst.Call):
            return self._call(node)
        if isinstance(node, cst.BinaryOperation):
            return self._binary(node)
        if isinstance(node, cst.UnaryOperation):
            t = self.type_of(node.expression)
            if isinstance(node.operator, cst.Not):
                return SBOOL if t in (SINT, SIZE, SBOOL) else (TENSOR if t == TENSOR else BOOL)
            return t
        if isinstance(node, cst.Comparison):
            return self._comparison(node)
        if isinstance(node, cst.BooleanOperation):
            left, right = self.type_of(node.left), self.type_of(node.right)
            if TENSOR in (left, right):
                return TENSOR
            if SBOOL in (left, right):
                return SBOOL
            return join(left, right)
        if isinstance(node, cst.IfExp):
            return join(self.type_of(node.body), self.type_of(node.orelse))
        if isinstance(node, cst.Tuple):
            return ("tuple", tuple(self.type_of(e.value) for e in node.elements
                                   if not isinstance(e, cst.StarredElement)))
        if isinstance(node, cst.List):
            elems = [self.type_of(e.value) for e in node.elements]
            elem = elems[0] if elems and all(e == elems[0] for e in elems) else None
            return ("list", elem)
        if isinstance(node, cst.ListComp):
            return ("list", None)
        if isinstance(node, (cst.Dict, cst.DictComp)):
            return ("dict", None, None)
        if isinstance(node, (cst.Set, cst.SetComp)):
            return ("set",)
        if isinstance(node, cst.Lambda):
            return ("func", "<lambda>")
        if isinstance(node, cst.NamedExpr):
            return self.type_of(node.value)
        if isinstance(node, cst.Imaginary):
            return FLOAT
        return None

    def _attribute(self, node: cst.Attribute) -> Type:
        attr = node.attr.value
        base = node.value
        if isinstance(base, cst.Name) and base.value == "self" and self.current_class is not None:
            t = self.current_class.attr_types.get(attr)
            if attr == "training":
                return BOOL
            return t
        qual = self.resolve(node)
        if qual is not None:
            if qual.startswith("torch.") and qual[6:] in torch_api.DTYPE_NAMES:
                return DTYPE
            if qual in ("math.pi", "math.e", "math.inf", "math.nan", "math.tau"):
                return FLOAT
            return None
        bt = self.type_of(base)
        if bt == TENSOR:
            return torch_api.TENSOR_ATTR_RESULTS.get(attr, TENSOR)
        if kind(bt) == "module" and attr in ("weight", "bias") and str(bt[1]).startswith("torch.nn."):
            return TENSOR  # a torch layer's parameters (``self.proj.weight.device``)
        if bt == DEVICE and attr in ("type",):
            return STR
        if bt == DEVICE and attr == "index":
            return ("optional", INT)
        if bt == DTYPE and attr in ("is_floating_point", "is_complex", "is_signed", "itemsize"):
            return SBOOL
        return None

    def _subscript(self, node: cst.Subscript) -> Type:
        bt = self.type_of(node.value)
        if bt is None:
            return None
        is_slice = any(isinstance(el.slice, cst.Slice) for el in node.slice)
        k = kind(bt)
        if k == TENSOR:
            return TENSOR
        if k == SIZE:
            return SIZE if is_slice else SINT
        if k == "list":
            return bt if is_slice else bt[1]
        if k == "tuple":
            if is_slice:
                return ("tuple", None)
            idx = node.slice[0].slice.value if isinstance(node.slice[0].slice, cst.Index) else None
            if isinstance(idx, cst.Integer) and bt[1] is not None:
                i = int(idx.value, 0)
                return bt[1][i] if -len(bt[1]) <= i < len(bt[1]) else None
            if bt[1] and all(e == bt[1][0] for e in bt[1]):
                return bt[1][0]
            return None
        if k == "dict":
            return bt[2]
        if k == STR:
            return STR
        return None

    def _binary(self, node: cst.BinaryOperation) -> Type:
        left = self.type_of(node.left)
        right = self.type_of(node.right)
        if TENSOR in (left, right):
            return TENSOR
        if isinstance(node.operator, cst.MatrixMultiply):
            return TENSOR if None in (left, right) else None
        kinds = {kind(left), kind(right)}
        if SIZE in kinds or "list" in kinds or "tuple" in kinds:
            if isinstance(node.operator, cst.Add) and kinds <= {SIZE, "tuple", "list"}:
                return SIZE if SIZE in kinds else left
            if isinstance(node.operator, cst.Multiply):
                return left if kind(left) in ("list", "tuple", SIZE) else right
            return None
        if SINT in kinds and kinds <= {SINT, INT, BOOL}:
            return SINT if not isinstance(node.operator, cst.Divide) else FLOAT
        if SINT in kinds and FLOAT in kinds:
            return FLOAT
        if NUMBER in kinds:
            return NUMBER
        if kinds == {INT}:
            return FLOAT if isinstance(node.operator, cst.Divide) else INT
        if kinds <= {INT, FLOAT}:
            return FLOAT
        if kinds == {STR} or (STR in kinds and isinstance(node.operator, cst.Modulo)):
            return STR
        return None

    def _comparison(self, node: cst.Comparison) -> Type:
        types = [self.type_of(node.left)] + [self.type_of(c.comparator) for c in node.comparisons]
        ops = [c.operator for c in node.comparisons]
        if all(isinstance(op, (cst.Is, cst.IsNot)) for op in ops):
            return BOOL
        if TENSOR in types:
            if all(isinstance(op, (cst.In, cst.NotIn)) for op in ops):
                return BOOL
            return TENSOR
        if any(t in (SIZE, SINT, SBOOL, DTYPE, DEVICE) for t in types):
            return SBOOL
        return BOOL

    def _call(self, node: cst.Call) -> Type:  # noqa: C901 - one dispatch table
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            owner = func.value
            if isinstance(owner, cst.Name) and owner.value == "self" and self.current_class is not None:
                attr_t = self.current_class.attr_types.get(method)
                if attr_t is None:
                    return self.current_class.method_returns.get(method)
                # a call of a submodule or a function-valued attribute
                return self._module_call_result(attr_t)
            qual = self.resolve(func)
            if qual is not None:
                return self._qualified_call(qual, node)
            ot = self.type_of(owner)
            if ot == TENSOR:
                if method == "size":
                    return SINT if node.args else SIZE
                if method == "type" and not node.args:
                    return STR
                return torch_api.TENSOR_METHOD_RESULTS.get(method, TENSOR)
            if ot == SIZE and method == "numel":
                return SINT
            if kind(ot) in ("module",):
                if method in ("forward", "__call__"):
                    return self._module_call_result(ot)
                if method in ("parameters", "buffers", "modules", "children"):
                    return None
            if kind(ot) == "dict" and method in ("get", "pop"):
                return ot[2] if len(node.args) < 2 else join(ot[2], self.type_of(node.args[1].value))
            if kind(ot) == "dict" and method == "items":
                return ("list", ("tuple", (ot[1], ot[2])))
            if kind(ot) == "dict" and method in ("keys",):
                return ("list", ot[1])
            if kind(ot) == "dict" and method in ("values",):
                return ("list", ot[2])
            if ot == STR and method in ("split", "rsplit", "splitlines"):
                return ("list", STR)
            if ot == STR and method in ("startswith", "endswith", "isdigit", "isalpha"):
                return BOOL
            if ot == STR and method in ("find", "index", "count", "rfind"):
                return INT
            if ot == STR:
                return STR
            if kind(ot) == "list" and method == "pop":
                return ot[1]
            return None
        if isinstance(func, cst.Name):
            name = func.value
            if name in self.env:
                t = self.env[name]
                if kind(t) == "module":
                    return self._module_call_result(t)
                return None
            if name in self.function_returns:
                return self.function_returns[name]
            if name in self.classes:
                facts = self.classes[name]
                return ("module", facts.qualname) if facts.is_module_guess else ("class", facts.qualname)
            qual = self.names.resolve(name)
            if qual is None:
                return None
            if qual.startswith("builtins."):
                return self._builtin_call(qual[9:], node)
            return self._qualified_call(qual, node)
        if isinstance(func, cst.Call):  # e.g. nn.Linear(2, 2)(x)
            inner = self.type_of(func)
            if kind(inner) == "module":
                return self._module_call_result(inner)
        return None

    def _module_call_result(self, t: Type) -> Type:
        k = kind(t)
        if k == "module":
            if t[1] in torch_api.TUPLE_RETURNING_MODULES:
                return ("tuple", None)
            local = self.classes.get(str(t[1]).rsplit(".", 1)[-1])
            if local is not None and local.qualname == t[1]:
                return local.forward_return
            return TENSOR
        if k == "func":
            return None
        return None

    def _qualified_call(self, qual: str, node: cst.Call) -> Type:
        if qual in torch_api.PARAMETER_FACTORIES:
            return TENSOR
        if qual in torch_api.TORCH_FUNCTION_RESULTS:
            if qual == "torch.jit.annotate" and node.args:
                return annotation_type(node.args[0].value, self.names)
            return torch_api.TORCH_FUNCTION_RESULTS[qual]
        if qual.startswith("math."):
            fn = qual[5:]
            return INT if fn in torch_api.MATH_INT_RESULTS else FLOAT
        if qual in torch_api.MODULE_CONTAINERS:
            return (torch_api.MODULE_CONTAINERS[qual], None)
        if torch_api.is_module_class_name(qual):
            return ("module", qual)
        if qual.startswith("torch.") and not qual.startswith(("torch.jit.", "torch.cuda.", "torch.backends.", "torch.distributed.", "torch.utils.", "torch.autograd.", "torch.testing.", "torch.fx.", "torch.onnx.", "torch._dynamo.", "torch.compiler.", "torch.export.", "torch.overrides.")):
            last = qual.rsplit(".", 1)[-1]
            if last[:1].isupper():
                return None  # some class (torch.Generator, torch.Size handled above)
            if last.startswith(("is_", "are_", "has_")):
                return BOOL  # predicates (torch.are_deterministic_algorithms_enabled(), torch.is_same_size(a, b))
            if last.startswith(("get_", "set_", "use_")):
                return None  # global settings (torch.get_num_threads(), torch.set_printoptions(...))
            return TENSOR
        return None

    def _builtin_call(self, name: str, node: cst.Call) -> Type:  # noqa: C901
        args = [a.value for a in node.args if not a.star]
        if name == "len":
            if args:
                t = self.type_of(args[0])
                if t in (TENSOR, SIZE):
                    return SINT
            return INT
        if name == "int":
            return INT
        if name == "float":
            return FLOAT
        if name == "bool":
            return BOOL
        if name == "str" or name == "repr":
            return STR
        if name in ("max", "min") and args:
            types = [self.type_of(a) for a in args]
            if len(args) == 1:
                inner = types[0]
                if kind(inner) == "list":
                    return inner[1]
                if inner == SIZE:
                    return SINT
                return None
            out = types[0]
            for t in types[1:]:
                out = join(out, t)
            return out
        if name == "abs" and args:
            return self.type_of(args[0])
        if name == "round":
            return INT if len(args) == 1 else FLOAT
        if name == "range":
            return ("range", tuple(self.type_of(a) for a in args))
        if name in ("list", "sorted") and args:
            t = self.type_of(args[0])
            if kind(t) == "list":
                return t
            if t == SIZE:
                return SIZE
            if kind(t) == "tuple":
                return ("list", t[1][0] if t[1] else None)
            return ("list", None)
        if name == "list":
            return ("list", None)
        if name == "tuple":
            if args and self.type_of(args[0]) == SIZE:
                return SIZE
            return ("tuple", None)
        if name == "dict":
            return ("dict", None, None)
        if name == "set":
            return ("set",)
        if name in ("isinstance", "hasattr", "callable", "all", "any"):
            if name in ("all", "any") and args and self.type_of(args[0]) == TENSOR:
                return BOOL
            return BOOL
        if name == "sum" and args:
            return None
        if name == "getattr" and len(args) >= 2 and isinstance(args[0], cst.Name) and args[0].value == "self":
            key = args[1]
            if isinstance(key, cst.SimpleString) and self.current_class is not None:
                try:
                    return self.current_class.attr_types.get(key.evaluated_value)
                except Exception:  # noqa: BLE001
                    return None
        if name == "type":
            return None
        if name in ("zip", "enumerate", "map", "filter", "reversed", "iter"):
            return (name,)
        if name == "divmod":
            return ("tuple", (INT, INT))
        if name == "hash" or name == "ord" or name == "id":
            return INT
        if name == "chr":
            return STR
        return None

    def strip_optional(self, t: Type) -> Type:
        return strip_optional(t)


# Attributes and methods that only a Tensor has: an unannotated parameter used with them
# is taken to be a Tensor.
TENSOR_HINTS = frozenset(
    "shape size dim view reshape permute transpose unsqueeze squeeze contiguous sum mean item "
    "numel dtype device float half long masked_fill matmul softmax flatten expand repeat "
    "new_zeros new_ones new_empty new_full type_as detach clone cpu cuda tolist numpy argmax "
    "exp log sigmoid tanh relu norm sqrt clamp chunk unbind narrow index_select gather scatter "
    "bmm mm any all nonzero ndim ndimension is_cuda requires_grad stride fill_ zero_ add_ mul_ "
    "copy_ masked_fill_ view_as reshape_as expand_as unflatten split sub add mul div pow abs "
    "max min".split()
)
