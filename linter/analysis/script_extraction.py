"""The ``script-if-tracing`` fix: what a trace rule hands the codemod that moves a statement
into a ``@torch.jit.script_if_tracing`` helper (``codemods/script_if_tracing.py``).

The codemod re-reads the file and decides the helper's signature itself (free variables,
results, return form) and refuses what it cannot move; the rule knows what the codemod cannot
see: where the statement is in the function (a path of suite indexes, robust to the lines
imports add above it), and the types of the names the block reads when it starts, from the
local inference. Types are spelled as TorchScript annotations (``torch.Tensor``, ``int``,
``float``, ``bool``, ``str``, ``list[...]``; builtin generics need no ``typing`` import and
TorchScript accepts them); a value the trace has already frozen when the block starts (a size
or rank read into a Python int, a Python number read from a Tensor) is marked ``"!why"``, so
the codemod refuses instead of passing a constant into the helper.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import libcst as cst

from .context import FixSpec
from .types import BOOL, FLOAT, INT, NDARRAY, NUMBER, SBOOL, SINT, SIZE, STR, TENSOR, kind

CODEMOD = "script-if-tracing"
_FROZEN = {SINT: "!an int read from a shape", SIZE: "!a shape", SBOOL: "!a bool computed from a shape",
           NUMBER: "!a Python number read from a Tensor", NDARRAY: "!a NumPy array"}


def statement_path(stmt: cst.BaseStatement, ctx) -> Optional[Tuple[Tuple[str, int], ...]]:
    """``stmt``'s position in the walked function as ``((suite, index), ...)`` from its body, or None
    (a nested function, an ``elif``, a ``try``/``with`` body...)."""
    fn = ctx.function
    if fn is None or ctx.nested or not isinstance(fn.node.body, cst.IndentedBlock):
        return None
    chain = [p for p in ctx.parents if isinstance(p, (cst.BaseCompoundStatement, cst.SimpleStatementLine))]
    if not chain or chain[-1] is not stmt:
        chain.append(stmt)
    node: cst.CSTNode = fn.node
    path: List[Tuple[str, int]] = []
    for step in chain:
        for field in ("body", "orelse"):
            suite = _suite(node, field)
            index = next((i for i, s in enumerate(suite) if s is step), None)
            if index is not None:
                path.append((field, index))
                break
        else:
            return None
        node = step
    return tuple(path)


def _suite(node: cst.CSTNode, field: str) -> List[cst.BaseStatement]:
    if isinstance(node, (cst.FunctionDef, cst.If, cst.For, cst.While)):
        if field == "body":
            body = node.body
        else:
            orelse = getattr(node, "orelse", None)
            body = orelse.body if isinstance(orelse, cst.Else) else None
        if isinstance(body, cst.IndentedBlock):
            return list(body.body)
    return []


def spell(t, torch_name: str) -> str:
    """A TorchScript annotation for an inferred type ("" when unknown, "!why" when frozen)."""
    if t == TENSOR:
        return f"{torch_name}.Tensor"
    if t in (INT, FLOAT, BOOL, STR):
        return t
    if t in _FROZEN:
        return _FROZEN[t]
    if kind(t) == "list":
        inner = spell(t[1], torch_name)
        return f"list[{inner}]" if inner and not inner.startswith("!") else ""
    return ""


def torch_binding(ctx) -> Tuple[Optional[str], Tuple[Tuple[str, Optional[str]], ...]]:
    """The name ``torch`` is bound to in the file and the imports the fix needs (None: no fix,
    ``torch`` names something else)."""
    bindings = ctx.names.bindings
    b = bindings.get("torch")
    if b is not None:
        return ("torch", ()) if b.kind == "import" and b.target == "torch" else (None, ())
    for name, b in bindings.items():
        if b.kind == "import" and b.target == "torch":
            return name, ()
    return "torch", (("torch", None),)


def _types(nodes: List[cst.CSTNode], ctx, torch_name: str) -> Tuple[Tuple[str, str], ...]:
    from .syntax import iter_descendants
    from .tracing import size_origin, tensor_requires

    self_name = None
    fn = ctx.function
    if fn is not None and fn.is_method and fn.params:
        self_name = fn.params[0].name
    out: Dict[str, str] = {}
    for root in nodes:
        for n in iter_descendants(root):
            if isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and n.value.value == self_name:
                key = f"{self_name}.{n.attr.value}"
                if key not in out:
                    t = ctx.type_of(n)
                    out[key] = spell(t, torch_name) if kind(t) not in ("module", "modlist", "moddict") else ""
                continue
            if not isinstance(n, cst.Name) or n.value in out or n.value == self_name:
                continue
            t = ctx.type_of(n)
            spelled = spell(t, torch_name)
            if spelled in (INT, BOOL) and size_origin(n, ctx) is not None:
                spelled = "!an int read from a shape"
            if not spelled and t is None:
                try:
                    spelled = f"{torch_name}.Tensor" if tensor_requires(n, ctx) is not None else ""
                except Exception:  # noqa: BLE001 - a name the tracing facts know nothing about
                    spelled = ""
            if spelled:
                out[n.value] = spelled
    return tuple(sorted(out.items()))


def script_if_tracing_fix(stmt: cst.BaseStatement, header: cst.CSTNode, ctx, *, extend: bool = False,
                          what: str = "") -> Optional[FixSpec]:
    """The unsafe fix moving ``stmt`` (with the rest of the function when ``extend``) into a
    ``@torch.jit.script_if_tracing`` helper, or None when the statement cannot be located."""
    fn = ctx.function
    if fn is None or ctx.nested:
        return None
    if fn.class_facts is not None and (fn.class_node is None or fn.is_staticmethod):
        return None
    kinds = {cst.If: "if", cst.For: "for", cst.While: "while", cst.SimpleStatementLine: "stmt"}
    k = kinds.get(type(stmt))
    if k is None:
        return None
    path = statement_path(stmt, ctx)
    if path is None or (extend and len(path) != 1):
        return None
    torch_name, imports = torch_binding(ctx)
    if torch_name is None:
        return None
    nodes: List[cst.CSTNode] = [stmt]
    if extend or k in ("if", "while", "for"):
        # the codemod may take the rest of the function along (a block returning on some paths)
        suite = _suite(fn.node, "body") if len(path) == 1 else []
        nodes += suite[path[-1][1] + 1:]
    owner = fn.class_node.name.value if fn.class_node is not None else ""
    args = (owner, fn.name, path, k, ctx.code_of(header), extend, _types(nodes, ctx, torch_name), torch_name)
    where = f"`{owner}.{fn.name}`" if owner else f"`{fn.name}`"
    message = f"move {what or 'this block'} of {where} into a `@torch.jit.script_if_tracing` helper"
    return ctx.unsafe_fix(message, (), imports=imports, codemod=(CODEMOD, args))
