"""torch 2.13's TorchScript operator schemas and builtin table, read from data (no torch).

The data file ``linter/data/schemas.json.gz`` is written by ``tools/gen_schemas.py``
under torch (``tests/test_schemas.py`` checks it against the installed torch). It is loaded
lazily, once, on the first question.

Questions answered here:

- ``builtin_op("torch.cat")`` -> ``"aten::cat"``: the operator the frontend calls for a Python
  name it finds in ``torch.jit._builtins._get_builtin_table()``; ``None`` for anything else.
- ``name_kind("torch.nn.functional.relu")`` -> ``"builtin"`` / ``"python"`` (a callable the
  compiler compiles from its Python source, or rejects) / ``"other"`` (a name of the namespace
  that is not callable) / ``None`` (not a recorded namespace, or no such name).
- ``overloads("aten::cat")``: the registered schemas plus the builtins TorchScript defines in
  TorchScript source; ``tensor_method_overloads("add")``: those of them a Tensor method call
  ``x.add(...)`` can match (they take an argument named ``self``).
- ``can_match(schemas, n_positional, keywords, ...)``: whether a call could match some
  overload the way ``tryMatchSchema`` in torch/csrc/jit/frontend/schema_matching.cpp matches
  one: positionals fill the non-keyword-only arguments in order (the last one, when it is an
  unsized list, may collect all remaining positionals: ``x.view(2, 3)``), keywords fill the
  rest by name, every argument without a default must be given, nothing may be left over.
  Argument kinds (``"int"``, ``"float"``, ``"bool"``, ``"str"``, ``"none"``, ``"list"``,
  ``"tensor"``, ``"list[int]"`` (a list of one element kind), or ``None`` for unknown) are
  checked only where given, with the implicit conversions the compiler makes (``bool`` to a number, ``str`` to a ``Device``, one int to
  ``int[2]``, a Tensor to a number). The keyword ``input`` also fills an aten operator's
  ``self`` argument (``findInputWithName``: ``torch.relu(input=x)``).
  Unknown means "could match": the answer is False only when no overload can match.
"""

from __future__ import annotations

import gzip
import json
import pathlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping, Optional, Sequence

DATA_FILE = pathlib.Path(__file__).resolve().parent.parent / "data" / "schemas.json.gz"

# an operator the compiler knows whose signature the data does not hold: it matches any call
UNKNOWN_OVERLOAD = "<unknown>"

HAS_DEFAULT = 1
KWARG_ONLY = 2


@dataclass(frozen=True)
class Argument:
    name: str
    type: str  # TorchScript annotation, e.g. "Tensor", "List[int]", "Optional[int]"
    has_default: bool
    kwarg_only: bool
    n: int  # size of a broadcasting list (``int[2]``), else 0


@dataclass(frozen=True)
class Schema:
    name: str
    overload: str
    arguments: tuple[Argument, ...]
    returns: tuple[str, ...]
    vararg: bool
    script_defined: bool = False  # a builtin written in TorchScript (builtin_functions.cpp)

    def __str__(self) -> str:
        parts, star = [], False
        for a in self.arguments:
            if a.kwarg_only and not star:
                parts.append("*")
                star = True
            parts.append(f"{a.type} {a.name}" + ("=..." if a.has_default else ""))
        if self.vararg:
            parts.append("...")
        name = self.name + (f".{self.overload}" if self.overload else "")
        return f"{name}({', '.join(parts)}) -> {', '.join(self.returns) or 'None'}"


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(gzip.decompress(DATA_FILE.read_bytes()))


def torch_version() -> str:
    return _data()["torch_version"]


def _rows_to_schemas(name: str, rows: list, script: bool) -> tuple[Schema, ...]:
    return tuple(
        Schema(name, ov, tuple(Argument(a[0], a[1], bool(a[2] & HAS_DEFAULT),
                                        bool(a[2] & KWARG_ONLY), a[3]) for a in args),
               tuple(rets), vararg, script)
        for ov, args, rets, vararg in rows
    )


@lru_cache(maxsize=None)
def overloads(op: str) -> tuple[Schema, ...]:
    """Every overload the compiler tries for operator ``op`` ("aten::cat"); () if none."""
    d = _data()
    return (_rows_to_schemas(op, d["schemas"].get(op, []), False)
            + _rows_to_schemas(op, d["script_builtins"].get(op, []), True))


def is_known_op(op: str) -> bool:
    return bool(overloads(op))


def all_op_names() -> frozenset[str]:
    d = _data()
    return frozenset(d["schemas"]) | frozenset(d["script_builtins"])


def namespaces() -> tuple[str, ...]:
    return tuple(_data()["builtins"])


def _split(qualname: str) -> tuple[str, str]:
    ns, _, name = qualname.rpartition(".")
    return ns, name


def builtin_op(qualname: str) -> Optional[str]:
    """The operator ``torch.jit.script`` calls for the Python name ``qualname``, else None."""
    ns, name = _split(qualname)
    return _data()["builtins"].get(ns, {}).get(name)


@lru_cache(maxsize=None)
def _python_names(ns: str) -> frozenset[str]:
    return frozenset(_data()["python"].get(ns, ()))


def name_kind(qualname: str) -> Optional[str]:
    """"builtin", "python" (callable, not a builtin) or None (not a recorded name)."""
    ns, name = _split(qualname)
    d = _data()
    if ns not in d["builtins"]:
        return None
    if name in d["builtins"][ns]:
        return "builtin"
    if name in _python_names(ns):
        return "python"
    return None


@lru_cache(maxsize=None)
def tensor_method_overloads(method: str) -> tuple[Schema, ...]:
    """Overloads of ``aten::<method>`` a call ``tensor.<method>(...)`` can match."""
    return tuple(s for s in overloads("aten::" + method)
                 if any(a.name == "self" for a in s.arguments))


# --- matching -----------------------------------------------------------------------------

_SCALARS = {"int", "float", "bool", "str", "none", "list", "tensor"}


def _strip_optional(t: str) -> tuple[str, bool]:
    if t.startswith("Optional[") and t.endswith("]"):
        return t[len("Optional["):-1], True
    return t, False


def _union_members(t: str) -> Optional[list[str]]:
    if not (t.startswith("Union[") and t.endswith("]")):
        return None
    inner, depth, cur, out = t[len("Union["):-1], 0, "", []
    for ch in inner:
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        depth += ch == "["
        depth -= ch == "]"
        cur += ch
    out.append(cur.strip())
    return out


_KNOWN_FORMALS = {"Tensor", "int", "float", "bool", "str", "number", "complex", "Device",
                  "Generator", "Storage", "Stream", "NoneType"}


def kind_fits(kind: Optional[str], formal: str, n: int = 0) -> bool:
    """Whether an actual of literal kind ``kind`` can be passed to a ``formal`` argument.

    True whenever unsure (unknown kind, type variables, classes, anything not modelled).
    ``"list[<kind>]"`` is a list whose elements all have that kind: it fails only a list of
    Tensors where numbers or strings are wanted, or the other way round."""
    if kind is not None and kind.startswith("list[") and kind.endswith("]"):
        if not kind_fits("list", formal, n):
            return False
        elem = kind[len("list["):-1]
        base = _strip_optional(formal)[0]
        if base.startswith("List["):
            formal_elem = _strip_optional(base[len("List["):-1])[0]
            if formal_elem == "Tensor":
                return elem == "tensor"
            if formal_elem in ("int", "float", "bool", "number", "complex"):
                return elem in ("int", "float", "bool")
            if formal_elem == "str":
                return elem == "str"
        return True
    if kind is None or kind not in _SCALARS:
        return True
    base, optional = _strip_optional(formal)
    members = _union_members(base)
    if members is not None:
        return (kind == "none" and optional) or any(kind_fits(kind, m) for m in members)
    if kind == "tensor":
        # tryConvertToType's implicit conversions: a Tensor becomes an int/float/number (not
        # a bool)
        return not (base in ("str", "bool", "Device", "Generator", "Storage", "Stream", "NoneType")
                    or base.startswith(("List[", "Dict[", "Tuple[")))
    if kind == "none":
        return optional or base in ("NoneType", "Any") or not (
            base in _KNOWN_FORMALS or base.startswith(("List[", "Dict[", "Tuple[")))
    if base.startswith("List["):
        if kind == "list":
            return True
        elem = base[len("List["):-1]
        # a broadcasting list (int[2]) also takes one element
        return bool(n) and kind in ("int", "float", "bool") and kind_fits(kind, elem)
    if base.startswith(("Dict[", "Tuple[")):
        return kind == "list" and base.startswith("Tuple[") or False
    if base not in _KNOWN_FORMALS:
        return True  # type variables (t, t1), Any, classes, enums: not modelled
    if kind == "list":
        return False
    if kind == "int":
        return base in ("int", "number", "complex")
    if kind == "float":
        return base in ("float", "number", "complex")
    if kind == "bool":
        return base in ("bool", "int", "float", "number", "complex")
    if kind == "str":
        return base in ("str", "Device")
    return True


def _is_list(kind: Optional[str]) -> bool:
    return kind is not None and (kind == "list" or kind.startswith("list["))


def _varargs_as_list(schema: Schema, i: int, arg: Argument) -> bool:
    args = schema.arguments
    last = i + 1 == len(args) or args[i + 1].kwarg_only
    base, _ = _strip_optional(arg.type)
    if not base.startswith("List["):
        return False
    elem = base[len("List["):-1]
    typevar = elem not in _KNOWN_FORMALS and not elem.startswith(("List[", "Optional[", "Tuple[", "Dict["))
    return last and not arg.n and not typevar


def _list_element(t: str) -> str:
    base, _ = _strip_optional(t)
    return base[len("List["):-1]


def match_schema(schema: Schema, positional: Sequence[Optional[str]],
                 keywords: Mapping[str, Optional[str]], self_bound: bool = False) -> bool:
    """Whether one overload accepts the call (``positional``/``keywords`` give each actual's
    literal kind or None)."""
    if schema.overload == UNKNOWN_OVERLOAD:
        return True
    return _match_from(schema, 0, 0, list(positional), dict(keywords), set(), self_bound)


def _input_alias(schema: Schema, a: Argument, kws, used_kw) -> bool:
    return (a.name == "self" and schema.name.startswith("aten::") and "input" in kws
            and "self" not in kws and "input" not in used_kw)


def _match_from(schema, i, used, pos, kws, used_kw, self_left) -> bool:
    args = schema.arguments
    while i < len(args):
        a = args[i]
        if a.name == "self" and self_left:
            self_left = False
        elif not a.kwarg_only and used >= len(pos) and _input_alias(schema, a, kws, used_kw):
            if not kind_fits(kws["input"], a.type, a.n):
                return False
            used_kw = used_kw | {"input"}
        elif not a.kwarg_only and used < len(pos):
            if _varargs_as_list(schema, i, a):
                actual = pos[used]
                elem = _list_element(a.type)
                rest = pos[used:]
                # all remaining positionals as one list (when the first is not a list itself)
                if not _is_list(actual) and all(kind_fits(k, elem) for k in rest):
                    if _match_from(schema, i + 1, len(pos), pos, kws, used_kw, self_left):
                        return True
                if actual is not None and not _is_list(actual):
                    # a known scalar is never taken as the list itself
                    return False
            if not kind_fits(pos[used], a.type, a.n):
                return False
            used += 1
        elif a.name in kws and a.name not in used_kw:
            if not kind_fits(kws[a.name], a.type, a.n):
                return False
            used_kw = used_kw | {a.name}
        elif not a.has_default:
            return False
        i += 1
    if self_left:
        return False
    if used < len(pos) and not schema.vararg:
        return False
    return all(k in used_kw for k in kws)


def can_match(schemas: Iterable[Schema], positional: Sequence[Optional[str]] | int,
              keywords: Mapping[str, Optional[str]] | Iterable[str] = (),
              self_bound: bool = False) -> bool:
    """Whether some overload could accept the call. ``positional`` is the positional
    arguments' kinds (or just their count: all unknown); ``keywords`` maps keyword names to
    kinds (or is just the names)."""
    if isinstance(positional, int):
        positional = [None] * positional
    if not isinstance(keywords, Mapping):
        keywords = {k: None for k in keywords}
    return any(match_schema(s, positional, keywords, self_bound) for s in schemas)


def keyword_names(schemas: Iterable[Schema]) -> frozenset[str]:
    """Every argument name of the overloads (the keywords some overload accepts; ``input``
    where an aten overload has ``self``)."""
    names = {a.name for s in schemas for a in s.arguments}
    if any(a.name == "self" and s.name.startswith("aten::") for s in schemas for a in s.arguments):
        names.add("input")
    return frozenset(names)
