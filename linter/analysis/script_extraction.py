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
from .typecheck.lattice import BOOL, FLOAT, INT, NDARRAY, NUMBER, SBOOL, SINT, SIZE, STR, TENSOR, kind

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


def _types(nodes: List[cst.CSTNode], ctx, torch_name: str,
           requires: Tuple[tuple, ...]) -> Tuple[Tuple[str, str], ...]:
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
            elif spelled and not spelled.startswith("!") and not spelled.endswith("Tensor") \
                    and not _plain_value(n.value, ctx, set()):
                spelled = "!a Python value not known to be independent of the input"
            if not spelled and t is None:
                # a Tensor if the function is a trace root: only when the finding needs that too
                try:
                    req = tensor_requires(n, ctx)
                except Exception:  # noqa: BLE001 - a name the tracing facts know nothing about
                    req = None
                if req is not None and set(req) <= set(requires):
                    spelled = f"{torch_name}.Tensor"
            if spelled:
                out[n.value] = spelled
    return tuple(sorted(out.items()))


def script_if_tracing_fix(stmt: cst.BaseStatement, header: cst.CSTNode, ctx, *, extend: bool = False,
                          what: str = "", requires: Tuple[tuple, ...] = ()) -> Optional[FixSpec]:
    """The unsafe fix moving ``stmt`` (with the rest of the function when ``extend``) into a
    ``@torch.jit.script_if_tracing`` helper, or None when the statement cannot be located.
    ``requires`` are the finding's predicates: a name that is a Tensor only if the function is
    a trace root is passed as a Tensor only when the finding itself depends on that."""
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
    types = _types(nodes, ctx, torch_name, tuple(requires))
    args = (owner, fn.name, path, k, ctx.code_of(header), extend, types, torch_name)
    where = f"`{owner}.{fn.name}`" if owner else f"`{fn.name}`"
    message = f"move {what or 'this block'} of {where} into a `@torch.jit.script_if_tracing` helper"
    return ctx.unsafe_fix(message, (), imports=imports, codemod=(CODEMOD, args))


def _assigned_values(name: str, ctx) -> Optional[List[Optional[cst.BaseExpression]]]:
    """The values assigned to local ``name`` in the function (None in the list: a value this
    module cannot read, e.g. a loop target or an unpacking); None when it is never assigned."""
    from .syntax import body_nodes, iter_descendants

    found: List[Optional[cst.BaseExpression]] = []
    for node in body_nodes(ctx, cst.Assign, cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.AsName,
                           cst.NamedExpr):
        if isinstance(node, cst.Assign):
            for t in node.targets:
                if isinstance(t.target, cst.Name):
                    if t.target.value == name:
                        found.append(node.value)
                elif any(isinstance(x, cst.Name) and x.value == name for x in iter_descendants(t.target)):
                    found.append(None)
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)) and isinstance(node.target, cst.Name):
            if node.target.value == name:
                found.append(node.value)
        elif isinstance(node, (cst.For, cst.CompFor)):
            if any(isinstance(x, cst.Name) and x.value == name for x in iter_descendants(node.target)):
                found.append(None)
        elif isinstance(node, cst.AsName) and isinstance(node.name, cst.Name) and node.name.value == name:
            found.append(None)
        elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name) and node.target.value == name:
            found.append(None)
    return found or None


def _plain_value(name: str, ctx, seen: set) -> bool:
    """``name`` (a non-Tensor local) holds a value that does not depend on the input: a
    parameter, or built from literals, such parameters and ``self`` attributes only. A Python
    number read from a Tensor (``int(x.max())``) is frozen by the trace before the block runs."""
    if name in seen:
        return True
    seen.add(name)
    values = _assigned_values(name, ctx)
    if values is None:
        return any(p.name == name for p in ctx.function.params)
    return all(v is not None and _plain_expr(v, ctx, seen) for v in values)


def _plain_expr(node: cst.BaseExpression, ctx, seen: set) -> bool:
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None") or _plain_value(node.value, ctx, seen)
    if isinstance(node, cst.Attribute):
        return isinstance(node.value, cst.Name) and node.value.value == "self"
    if isinstance(node, cst.BinaryOperation):
        return _plain_expr(node.left, ctx, seen) and _plain_expr(node.right, ctx, seen)
    if isinstance(node, cst.UnaryOperation):
        return _plain_expr(node.expression, ctx, seen)
    if isinstance(node, cst.BooleanOperation):
        return _plain_expr(node.left, ctx, seen) and _plain_expr(node.right, ctx, seen)
    if isinstance(node, cst.Comparison):
        operands = [node.left] + [c.comparator for c in node.comparisons]
        return all(_plain_expr(o, ctx, seen) for o in operands)
    if isinstance(node, (cst.List, cst.Tuple)):
        return all(not isinstance(e, cst.StarredElement) and _plain_expr(e.value, ctx, seen) for e in node.elements)
    return False
