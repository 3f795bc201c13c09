"""The precise mode (``--types mypy``): mypy's inferred types as a fallback for jitlint's own.

The fast local inference cannot see across files: the return type of a helper imported from
another module, or the type of an attribute of a config object, is unknown to it. mypy knows
(given annotations and torch's own stubs), so in this mode mypy checks the project once and
its type for an expression is used wherever the local inference has no answer. mypy does not
know what ``self.fc(x)`` returns (``nn.Module.__call__`` is typed ``Any``), which is why the
local propagation keeps priority in both modes.

This reads torch's type information, it never imports torch or the user's code. It is slow
(about a minute on first use for a torch-using project, mostly torch's own stubs; mypy's
incremental cache in ``<cache-dir>/mypy`` speeds later runs), and per-file result caching is
off in this mode because mypy's types depend on other files.
"""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence, Tuple

from .lattice import (
    BOOL,
    DEVICE,
    DTYPE,
    FLOAT,
    INT,
    NONE,
    SIZE,
    STR,
    TENSOR,
    Type,
    optional,
)

Key = Tuple[int, int, int, int]  # line, column (0-based), end line, end column

_TENSOR_NAMES = frozenset({"torch._tensor.Tensor", "torch.Tensor", "torch.nn.parameter.Parameter"})
_SIMPLE = {
    "builtins.int": INT, "builtins.float": FLOAT, "builtins.bool": BOOL, "builtins.str": STR,
    "torch._C.Size": SIZE, "torch.Size": SIZE, "torch._C.dtype": DTYPE, "torch.dtype": DTYPE,
    "torch._C.device": DEVICE, "torch.device": DEVICE,
}
# Node attributes that point away from the expression tree (to definitions, possibly in
# other files) or hold alternative forms: not followed.
_SKIP = frozenset({
    "node", "def_var", "info", "analyzed", "fullname", "type", "unanalyzed_type", "var",
    "callee_type", "method_type", "names", "imports", "alias_deps", "plugin_deps", "impl",
    "original_def", "type_args", "variance", "upper_bound", "values", "default",
})


class MypyUnavailable(Exception):
    pass


def convert(mtype) -> Type:
    """A mypy type as a jitlint type (None when it says nothing useful)."""
    from mypy import types as mt

    t = mt.get_proper_type(mtype)
    if isinstance(t, mt.LiteralType):
        t = t.fallback
    if isinstance(t, mt.NoneType):
        return NONE
    if isinstance(t, mt.Instance):
        name = t.type.fullname
        if name in _TENSOR_NAMES or any(b.type.fullname in _TENSOR_NAMES for b in t.type.mro[1:] if hasattr(b, "type")):
            return TENSOR
        if name in _SIMPLE:
            return _SIMPLE[name]
        if any(base.fullname in _TENSOR_NAMES for base in t.type.mro):
            return TENSOR
        if name == "builtins.list" and t.args:
            return ("list", convert(t.args[0]))
        if name == "builtins.dict" and len(t.args) == 2:
            return ("dict", convert(t.args[0]), convert(t.args[1]))
        return None
    if isinstance(t, mt.TupleType):
        return ("tuple", tuple(convert(i) for i in t.items))
    if isinstance(t, mt.UnionType):
        items = [mt.get_proper_type(i) for i in t.items]
        others = [i for i in items if not isinstance(i, mt.NoneType)]
        if len(others) == 1 and len(items) == 2:
            return optional(convert(others[0]))
    return None


def collect(files: Sequence[Tuple[str, str]], cache_dir: Optional[str]) -> Dict[str, Dict[Key, Type]]:
    """Path -> {position key: type} for every typed expression mypy saw in ``files``."""
    try:
        import mypy.build
        import mypy.modulefinder
        import mypy.nodes as mn
        import mypy.options
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise MypyUnavailable("--types mypy needs mypy: pip install 'jitlint[types]'") from exc
    options = mypy.options.Options()
    options.export_types = True
    options.preserve_asts = True
    options.follow_imports = "silent"
    options.ignore_missing_imports = True
    options.check_untyped_defs = True
    options.incremental = cache_dir is not None
    if cache_dir:
        options.cache_dir = os.path.join(cache_dir, "mypy")
    sources = [mypy.modulefinder.BuildSource(path, module) for path, module in files]
    try:
        result = mypy.build.build(sources, options)
    except Exception as exc:  # noqa: BLE001 - mypy's own failure is reported, not raised
        raise MypyUnavailable(f"mypy failed: {type(exc).__name__}: {exc}") from exc
    out: Dict[str, Dict[Key, Type]] = {}
    attrs_cache: Dict[type, List[str]] = {}

    def attrs(cls) -> List[str]:
        names = attrs_cache.get(cls)
        if names is None:
            names = [a for a in dir(cls) if not a.startswith("_") and a not in _SKIP
                     and not callable(getattr(cls, a, None))]
            attrs_cache[cls] = names
        return names

    node_types = (mn.Expression, mn.Statement, mn.Block)
    for path, module in files:
        tree = result.files.get(module)
        if tree is None:
            continue
        table: Dict[Key, Type] = {}
        seen = set()
        stack = [tree]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, mn.Expression):
                mtype = result.types.get(node)
                if mtype is not None and node.end_line is not None:
                    converted = convert(mtype)
                    if converted is not None:
                        table[(node.line, node.column, node.end_line, node.end_column)] = converted
            for name in attrs(type(node)):
                value = getattr(node, name, None)
                if isinstance(value, node_types):
                    stack.append(value)
                elif isinstance(value, list):
                    stack.extend(v for v in value if isinstance(v, node_types))
        out[path] = table
    return out


def node_types_for(module, table: Dict[Key, Type]) -> Dict[int, Type]:
    """id(libcst node) -> type, by matching mypy's ranges with libcst's positions."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    out: Dict[int, Type] = {}
    for node, rng in positions.items():
        t = table.get((rng.start.line, rng.start.column, rng.end.line, rng.end.column))
        if t is not None:
            out[id(node)] = t
    return out
