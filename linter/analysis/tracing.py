"""Shared facts for the JIT3 (torch.jit.trace) rules: what the tracer keeps dynamic.

Measured with torch 2.13 (trace with one shape, compare with eager on others):

- ``x.size(i)``, ``x.shape[i]``, ``x.size()[i]``, ``x.numel()``, ``x.nelement()`` return
  0-dim *Tensors* while tracing, so Python arithmetic on them (``+ - * / // % **``, ``abs``,
  ``math.prod``) is recorded and stays dynamic ("dyn" below). Converting them to Python
  (``int()``, ``float()``, ``bool()``, ``math.sqrt``, comparisons used as a bool, ``max``)
  freezes the trace-time value.
- ``x.dim()``, ``x.ndim``, ``len(x.shape)`` are plain Python ints even while tracing ("rank"):
  converting them changes nothing, but branching on them bakes the traced rank (t025).
- ``len(x)``, ``x.stride(i)`` are plain Python ints too: frozen as soon as they are read.

Not a rule file (the registry only loads ``jit*.py``).
"""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from .trace_dims import ANY_SIZE, groups_of_kind, normalize, size_groups, track_dims
from .typecheck.lattice import DEVICE, DTYPE, SBOOL, SINT, SIZE, TENSOR, kind

_DYN_METHODS = frozenset({"size", "numel", "nelement"})
_RANK_METHODS = frozenset({"dim", "ndimension"})
# Names assigned in the current function: name -> "dyn" | "rank" | "" (a plain value).
_NAMES = "_trace_names"
_DONE = "_trace_names_node"


def _names(ctx) -> dict:
    names = ctx.scratch.get(_NAMES)
    if names is None:
        names = ctx.scratch[_NAMES] = {}
    return names


def size_origin(node: cst.BaseExpression, ctx, depth: int = 0) -> Optional[str]:
    """``"dyn"`` for a number the tracer records as a size tensor (``x.size(0) // 2``),
    ``"rank"`` for a rank (``x.dim()``), None for anything else (including Tensors)."""
    if depth > 12:
        return None
    if isinstance(node, cst.Name):
        tracked = ctx.scratch.get(_NAMES, {}).get(node.value)
        if tracked is not None:
            return tracked or None
        return "dyn" if ctx.type_of(node) in (SINT, SIZE) else None
    if isinstance(node, cst.Call):  # (checked syntactically first: most calls are module calls)
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in _DYN_METHODS or method in _RANK_METHODS:
                if ctx.type_of(func.value) == TENSOR:
                    return "dyn" if method in _DYN_METHODS else "rank"
            return None
        if isinstance(func, cst.Name) and func.value in ("len", "abs") and len(node.args) == 1:
            qual = ctx.resolve(func)
            arg = node.args[0].value
            if qual == "builtins.len":
                return "rank" if ctx.type_of(arg) == SIZE else None
            if qual == "builtins.abs":
                return size_origin(arg, ctx, depth + 1)
        return None
    if isinstance(node, cst.Attribute):
        if node.attr.value in ("shape", "ndim") and ctx.type_of(node.value) == TENSOR:
            return "dyn" if node.attr.value == "shape" else "rank"
        return None
    if isinstance(node, cst.Subscript):
        if ctx.type_of(node.value) == SIZE:
            return size_origin(node.value, ctx, depth + 1) or "dyn"
        return None
    if isinstance(node, cst.BinaryOperation):
        left = size_origin(node.left, ctx, depth + 1)
        right = size_origin(node.right, ctx, depth + 1) if left != "dyn" else None
        if "dyn" in (left, right):
            return None if ctx.type_of(node) == TENSOR else "dyn"
        if "rank" in (left, right):
            return None if ctx.type_of(node) == TENSOR else "rank"
        return None
    if isinstance(node, cst.UnaryOperation) and not isinstance(node.operator, cst.Not):
        return size_origin(node.expression, ctx, depth + 1)
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString, cst.Lambda, cst.Dict, cst.List, cst.Tuple)):
        return None
    return "dyn" if ctx.type_of(node) in (SINT, SIZE) else None


def track_assignment(node: cst.CSTNode, ctx) -> None:
    """Remember which local names hold sizes or ranks (call from ``visit_Assign``/``visit_AugAssign``;
    several rules may call it for the same statement)."""
    if ctx.scratch.get(_DONE) is node:
        return
    ctx.scratch[_DONE] = node
    names = _names(ctx)
    if isinstance(node, cst.Assign):
        if len(node.targets) != 1:
            return
        target = node.targets[0].target
        track_dims(target, node.value, ctx)
        if isinstance(target, cst.Name):
            names[target.value] = size_origin(node.value, ctx) or ""
        elif isinstance(target, (cst.Tuple, cst.List)):
            value = node.value
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(target.elements):
                for el, v in zip(target.elements, value.elements):
                    if isinstance(el.value, cst.Name):
                        names[el.value.value] = size_origin(v.value, ctx) or ""
                return
            origin = (size_origin(value, ctx) or "dyn") if ctx.type_of(value) == SIZE else None
            for el in target.elements:
                if isinstance(el.value, cst.Name):
                    if origin is None:
                        names.pop(el.value.value, None)  # the inferred type decides
                    else:
                        names[el.value.value] = origin
    elif isinstance(node, cst.AugAssign) and isinstance(node.target, cst.Name):
        if size_origin(node.value, ctx) == "dyn":
            names[node.target.value] = "dyn"
    elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name) and node.value is not None:
        names[node.target.value] = size_origin(node.value, ctx) or ""
        track_dims(node.target, node.value, ctx)


def track_loop_target(target: cst.BaseExpression, iterable: cst.BaseExpression, ctx) -> None:
    """``for i in range(...)`` binds plain Python ints, never traced sizes."""
    if isinstance(target, cst.Name) and isinstance(iterable, cst.Call) and ctx.resolve(iterable.func) == "builtins.range":
        _names(ctx)[target.value] = ""


def is_range_call(node: cst.BaseExpression, ctx) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and ctx.resolve(node.func) == "builtins.range"


def variable_iteration(it: cst.BaseExpression, ctx, depth: int = 0) -> Optional[Tuple[str, tuple]]:
    """Why iterating ``it`` runs a number of times that depends on the input's sizes (the
    tracer unrolls the loop for the example input), with the predicates that makes it true
    (see :func:`tensor_requires`); None when it does not."""
    if depth > 4:
        return None
    requires = tensor_requires(it, ctx)
    if requires is not None:
        return "iterates over a Tensor (one step per row of the example input)", requires
    if not isinstance(it, cst.Call):
        return None
    func = it.func
    if isinstance(func, cst.Name):
        qual = ctx.resolve(func)
        if qual == "builtins.range":
            for arg in it.args:
                value = arg.value
                if size_origin(value, ctx) == "dyn":
                    return f"loops over `range()` of a size (`{ctx.code_of(value)}`), unrolled to the traced size", ()
                requires = _len_of_tensor(value, ctx)
                if requires is not None:
                    return f"loops over `range({ctx.code_of(value)})`, unrolled to the traced length", requires
            return None
        if qual in ("builtins.enumerate", "builtins.zip", "builtins.reversed", "builtins.list", "builtins.tuple"):
            for arg in it.args:
                found = variable_iteration(arg.value, ctx, depth + 1)
                if found is not None:
                    return found
            return None
        return None
    if isinstance(func, cst.Attribute):
        method = func.attr.value
        if method not in ("unbind", "split"):
            return None
        qual = ctx.resolve(func)
        if qual in ("torch.unbind", "torch.split"):
            if not it.args:
                return None
            requires = tensor_requires(it.args[0].value, ctx)
            rest = it.args[1:]
        elif qual is None:
            requires = tensor_requires(func.value, ctx)
            rest = it.args
        else:
            return None
        if requires is None:
            return None
        if method == "unbind":
            return f"iterates over `{ctx.code_of(it)}` (one step per slice of the example input)", requires
        # split(int) makes a size-dependent number of pieces; split([sizes]) a fixed number
        size_arg = next((a.value for a in rest if a.keyword is None or a.keyword.value == "split_size_or_sections"),
                        None)
        if size_arg is None:
            return None
        st = ctx.type_of(size_arg)
        if isinstance(size_arg, cst.Integer) or st in ("int", SINT):
            return f"iterates over `{ctx.code_of(it)}` (the number of pieces depends on the input size)", requires
    return None


def iteration_groups(it: cst.BaseExpression, ctx, depth: int = 0) -> Tuple[str, ...]:
    """What would have to vary to change how often iterating ``it`` runs (``trace_dims``
    groups): a Tensor's rows and ``len(t)`` are its dimension 0, ``range(n)`` the dimensions ``n``
    reads, ``unbind``/``split`` the dimension they take (when a literal)."""
    from .trace_dims import BATCH, _int_literal

    if depth > 4:
        return (ANY_SIZE,)
    if tensor_requires(it, ctx) is not None:
        return (BATCH,)
    if isinstance(it, cst.Call):
        func = it.func
        if isinstance(func, cst.Name):
            qual = ctx.resolve(func)
            if qual == "builtins.range":
                out: Tuple[str, ...] = ()
                for arg in it.args:
                    if _len_of_tensor(arg.value, ctx) is not None:
                        out += (BATCH,)
                    else:
                        out += size_groups(arg.value, ctx)
                return normalize(out) or (ANY_SIZE,)
            if qual in ("builtins.enumerate", "builtins.zip", "builtins.reversed", "builtins.list", "builtins.tuple"):
                out = ()
                for arg in it.args:
                    if arg.keyword is None:
                        out += iteration_groups(arg.value, ctx, depth + 1)
                return normalize(out) or (ANY_SIZE,)
        if isinstance(func, cst.Attribute) and func.attr.value in ("unbind", "split"):
            method = func.attr.value
            args = it.args[1:] if ctx.resolve(func) in ("torch.unbind", "torch.split") else it.args
            dim_arg = next((a.value for a in args if a.keyword is not None and a.keyword.value == "dim"), None)
            if dim_arg is None:
                positional = [a.value for a in args if a.keyword is None]
                index = 0 if method == "unbind" else 1
                dim_arg = positional[index] if len(positional) > index else None
            dim = 0 if dim_arg is None else _int_literal(dim_arg)
            return (BATCH,) if dim == 0 else (ANY_SIZE,)
    return (ANY_SIZE,)


def _len_of_tensor(node: cst.BaseExpression, ctx) -> Optional[tuple]:
    if (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and len(node.args) == 1
            and ctx.resolve(node.func) == "builtins.len"):
        return tensor_requires(node.args[0].value, ctx)
    return None


def input_free(node: cst.CSTNode, ctx) -> bool:
    """True when ``node`` reads no local variable or parameter: only ``self``, globals and
    literals (module state, the same for every call, e.g. ``self.weight.shape[0]``)."""
    from .syntax import iter_children

    locals_ = ctx.infer.locals if ctx.infer is not None else None
    if locals_ is None:
        return False
    stack = [node]
    while stack:
        sub = stack.pop()
        if isinstance(sub, cst.Name):
            if sub.value != "self" and sub.value in locals_:
                return False
        elif isinstance(sub, cst.Attribute):
            stack.append(sub.value)  # the attribute's own name is not a variable
        elif isinstance(sub, (cst.Lambda, cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp)):
            return False  # binds its own names: do not try to be clever
        else:
            stack.extend(iter_children(sub))
    return True


def statically_decided(test: cst.BaseExpression, ctx) -> bool:
    """``... and not torch.jit.is_tracing()``: the branch taken while tracing is known."""
    from .guards import static_value

    return static_value(test, ctx, "trace") is not None


def condition_kind(test: cst.BaseExpression, ctx, depth: int = 0) -> Optional[str]:
    """What a Python condition reads that the tracer bakes in: "shape", "rank", "dtype",
    "device", "layout" (tensor properties), or None."""
    if depth > 8:
        return None
    if depth == 0 and statically_decided(test, ctx):
        return None
    if isinstance(test, cst.BooleanOperation):
        return condition_kind(test.left, ctx, depth + 1) or condition_kind(test.right, ctx, depth + 1)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return condition_kind(test.expression, ctx, depth + 1)
    if isinstance(test, cst.Comparison):
        for operand in [test.left] + [c.comparator for c in test.comparisons]:
            kind = _operand_kind(operand, ctx)
            if kind is not None:
                return kind
        return None
    return _operand_kind(test, ctx)


def condition_groups(test: cst.BaseExpression, ctx, depth: int = 0) -> Tuple[str, ...]:
    """What would have to vary to flip a condition (``trace_dims`` groups): every operand's
    dimension, rank, dtype, device... (the union: any one of them changing flips it)."""
    if depth > 8:
        return ()
    if isinstance(test, cst.BooleanOperation):
        return normalize(condition_groups(test.left, ctx, depth + 1) + condition_groups(test.right, ctx, depth + 1))
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return condition_groups(test.expression, ctx, depth + 1)
    operands = [test]
    if isinstance(test, cst.Comparison):
        operands = [test.left] + [c.comparator for c in test.comparisons]
    out: Tuple[str, ...] = ()
    for operand in operands:
        k = _operand_kind(operand, ctx)
        if k == "shape":
            out += size_groups(operand, ctx) or (ANY_SIZE,)
        elif k is not None:
            out += groups_of_kind(k)
    return normalize(out)


def _operand_kind(node: cst.BaseExpression, ctx) -> Optional[str]:
    t = ctx.type_of(node)
    if t == TENSOR:
        return None
    origin = size_origin(node, ctx)
    if origin is not None:
        return "shape" if origin == "dyn" else "rank"
    if t in (DTYPE, DEVICE):
        if isinstance(node, cst.Name) and _is_param(node.value, ctx):
            return None  # a dtype/device argument: whether it comes from an input is the caller's business
        return "dtype" if t == DTYPE else "device"
    if isinstance(node, cst.Attribute) and ctx.type_of(node.value) == DEVICE:
        return "device"
    if t == SBOOL:
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            if node.func.attr.value == "is_contiguous":
                return None  # .contiguous() or not: same values either way
            if node.func.attr.value in ("is_floating_point", "is_complex", "is_signed"):
                return "dtype"
        if isinstance(node, cst.Attribute):
            attr = node.attr.value
            if attr in ("is_cuda", "is_cpu", "is_meta", "is_mkldnn"):
                return "device"
            if attr in ("is_sparse", "is_quantized", "is_nested"):
                return "layout"
            if attr in ("requires_grad", "is_leaf"):
                return "autograd state"
        if isinstance(node, cst.Call):
            qual = ctx.resolve(node.func)
            if qual in ("torch.is_floating_point", "torch.is_complex"):
                return "dtype"
            return None
        return None
    return None


def _is_param(name: str, ctx) -> bool:
    fn = ctx.function
    return fn is not None and not ctx.nested and any(p.name == name for p in fn.params)


_DIAGNOSTIC_CALLS = frozenset({
    "builtins.print", "builtins.str", "builtins.repr", "builtins.format", "warnings.warn",
})
_LOGGER_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})


def is_logging_call(node: cst.Call, ctx) -> Optional[str]:
    """``print``/``warnings.warn``/``logging.*``/module-logger calls: the name, else None."""
    func = node.func
    if not isinstance(func, (cst.Name, cst.Attribute)):
        return None
    qual = ctx.resolve(func)
    if qual is not None:
        if qual in ("builtins.print", "warnings.warn") or (qual.startswith("logging.") and qual.count(".") == 1):
            return qual
        return None
    if isinstance(func, cst.Attribute) and func.attr.value in _LOGGER_METHODS and isinstance(func.value, cst.Name):
        owner = func.value.value
        if ctx.infer is not None and owner in ctx.infer.locals:
            return None
        binding = ctx.names.value_kind(owner)
        if binding is None:
            return None
        target = binding.target
        if target == "logger" or (target.startswith("call:") and target.endswith(("getLogger", "get_logger"))):
            return f"{owner}.{func.attr.value}"
    return None


def in_diagnostic(node: cst.CSTNode, ctx) -> bool:
    """True inside an f-string, a ``print``/``str``/logging/``warnings.warn`` call's arguments,
    or a ``raise``/``assert`` message: conversions there only change text, not results."""
    parents = ctx.parents
    for i in range(len(parents) - 1, -1, -1):
        p = parents[i]
        if isinstance(p, (cst.FormattedString, cst.Raise)):
            return True
        if isinstance(p, cst.Assert):
            child = parents[i + 1] if i + 1 < len(parents) else node
            return child is p.msg
        if isinstance(p, cst.Call):
            qual = ctx.resolve(p.func) if isinstance(p.func, (cst.Name, cst.Attribute)) else None
            if qual in _DIAGNOSTIC_CALLS or (qual and qual.startswith("logging.")) or is_logging_call(p, ctx):
                return True
        if isinstance(p, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            return False
    return False


_GUARD_OK_CALLS = ("builtins.print", "warnings.warn")


def is_guard(node: cst.If, ctx) -> bool:
    """``if <cond>: raise ...`` (optionally after print/warn/log calls) with no else: a
    validation check. The trace drops it, but results for valid inputs are unchanged."""
    if node.orelse is not None:
        return False
    raises = False
    for stmt in node.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            return False
        for small in stmt.body:
            if isinstance(small, cst.Raise):
                raises = True
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and is_logging_call(small.value, ctx):
                continue
            elif isinstance(small, cst.Pass):
                continue
            else:
                return False
    return raises


def raises_only(node: cst.If, ctx) -> bool:
    """``if <cond>: raise ...`` (optionally after print/warn/log calls), with or without
    ``elif``/``else``, or ``if <cond>: ... else: raise ...``: one side only raises. Every input
    eager accepts takes the other side, in the trace as in eager; dropping the check changes
    nothing for valid inputs (unlike :func:`is_guard`, an ``else`` is allowed)."""
    if node.orelse is None:
        return is_guard(node, ctx)
    if is_guard(node.with_changes(orelse=None), ctx):
        return True
    # `if ok: ... else: raise ...`: every input eager accepts takes the `if` body
    orelse = node.orelse
    return isinstance(orelse, cst.Else) and is_guard(cst.If(test=node.test, body=orelse.body), ctx)


def _is_assert_call(node: cst.Call, ctx) -> bool:
    """``torch._assert(cond, msg)`` and the libraries' ``_assert`` helpers (timm's
    ``timm.layers._assert``): an assertion the tracer cannot record."""
    if not isinstance(node.func, (cst.Name, cst.Attribute)):
        return False
    last = node.func.value if isinstance(node.func, cst.Name) else node.func.attr.value
    if last != "_assert":
        return False
    qual = ctx.resolve(node.func)
    return qual is not None and qual.rsplit(".", 1)[-1] == "_assert" and not qual.startswith("builtins.")


def in_raise_only_check(node: cst.CSTNode, ctx) -> bool:
    """True inside a check that only raises: an ``assert``'s test, a ``torch._assert(...)``
    call's arguments, or the test or body of an ``if`` that only raises (:func:`raises_only`).
    A size converted or read there decides nothing for an input eager accepts."""
    parents = ctx.parents
    for i in range(len(parents) - 1, -1, -1):
        p = parents[i]
        child = parents[i + 1] if i + 1 < len(parents) else node
        if isinstance(p, cst.Assert):
            return True
        if isinstance(p, cst.Call) and _is_assert_call(p, ctx):
            return True
        if isinstance(p, cst.If):
            if child is p.test:
                return raises_only(p, ctx)
            # ctx.parents holds statements, not their blocks: find the side ``child`` is in
            if any(child is stmt for stmt in p.body.body):  # the side that only raises runs
                return is_guard(p.with_changes(orelse=None), ctx)  # only for inputs eager rejects
            if isinstance(p.orelse, cst.Else) and any(child is stmt for stmt in p.orelse.body.body):
                return is_guard(cst.If(test=p.test, body=p.orelse.body), ctx)
            return False
        if isinstance(p, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return False
    return False


def in_test_of(node: cst.CSTNode, ctx, node_types) -> Optional[cst.CSTNode]:
    """The innermost enclosing ``node_types`` (If, While, IfExp, Assert...) whose *test*
    contains ``node`` (the node being visited), or None (also when ``node`` is in a body)."""
    parents = ctx.parents
    for i in range(len(parents) - 1, -1, -1):
        p = parents[i]
        if isinstance(p, node_types):
            child = parents[i + 1] if i + 1 < len(parents) else node
            return p if child is getattr(p, "test", None) else None
        if not isinstance(p, cst.BaseExpression):
            return None
    return None


# Tensor methods whose result is not a Tensor (as far as the root-parameter fallback cares).
_NON_TENSOR_METHODS = frozenset({
    "size", "dim", "ndimension", "numel", "nelement", "item", "tolist", "numpy", "stride",
    "element_size", "get_device", "is_contiguous", "is_floating_point", "is_complex", "data_ptr",
    "unbind", "split", "chunk", "tensor_split", "equal", "allclose", "__len__", "storage_offset",
})
_NON_TENSOR_ATTRS = frozenset({
    "shape", "dtype", "device", "ndim", "is_cuda", "is_cpu", "requires_grad", "layout", "names",
    "is_leaf", "grad_fn", "itemsize", "nbytes", "is_sparse", "is_quantized", "is_meta",
})


def _root_param(name: str, ctx) -> bool:
    fn = ctx.function
    if fn is None or fn.class_facts is not None or ctx.nested:
        return False
    if ctx.infer is None or ctx.infer.env.get(name) is not None:
        return False
    for p in fn.params:
        if p.name == name:
            return p.annotation is None and p.default is None and p.kind in ("positional", "posonly")
    return False


def _weak_forward_param(name: str, ctx) -> bool:
    """An unannotated ``forward`` parameter is taken to be a Tensor by default; used bare
    (``len(x)``, ``for r in x``, ``if x:``) it may as well be a list or a tuple of Tensors.
    True when nothing in the body shows it is a Tensor (a Tensor-only attribute such as
    ``x.shape``/``x.view``) and it is never reassigned."""
    fn = ctx.function
    if fn is None or not fn.is_forward or ctx.nested:
        return False
    param = next((p for p in fn.params if p.name == name), None)
    if param is None or param.annotation is not None or param.default is not None:
        return False
    hinted = ctx.scratch.get(_HINTED)
    if hinted is None:
        from .typecheck.inference import TENSOR_HINTS
        from .syntax import iter_descendants

        hinted = set()
        for sub in iter_descendants(fn.node.body):
            if isinstance(sub, cst.Attribute) and isinstance(sub.value, cst.Name) and sub.attr.value in TENSOR_HINTS:
                hinted.add(sub.value.value)
            elif isinstance(sub, cst.AssignTarget) and isinstance(sub.target, cst.Name):
                hinted.add(sub.target.value)
            elif isinstance(sub, (cst.AugAssign, cst.AnnAssign)) and isinstance(sub.target, cst.Name):
                hinted.add(sub.target.value)
        ctx.scratch[_HINTED] = hinted
    return name not in hinted


_HINTED = "_trace_hinted_params"


def tensor_requires(node: cst.BaseExpression, ctx, depth: int = 0) -> Optional[tuple]:
    """``()`` when ``node`` is known to be a Tensor; ``(("trace_root", fid),)`` when it is
    built from an unannotated parameter of a top-level function and so is a Tensor if that
    function is handed to ``torch.jit.trace`` (whose inputs are Tensors); None otherwise."""
    t = ctx.type_of(node)
    if t == TENSOR:
        if isinstance(node, cst.Name) and _weak_forward_param(node.value, ctx):
            return None
        return ()
    if depth > 8 or (t is not None and not (t == "bool" and isinstance(node, cst.Comparison))):
        return None
    if isinstance(node, cst.Name):
        return (("trace_root", ctx.function.id),) if _root_param(node.value, ctx) else None
    if isinstance(node, cst.Comparison):
        if any(isinstance(c.operator, (cst.Is, cst.IsNot, cst.In, cst.NotIn)) for c in node.comparisons):
            return None
        for operand in [node.left] + [c.comparator for c in node.comparisons]:
            req = tensor_requires(operand, ctx, depth + 1)
            if req is not None:
                return req
        return None
    if isinstance(node, cst.BinaryOperation):
        return tensor_requires(node.left, ctx, depth + 1) or tensor_requires(node.right, ctx, depth + 1)
    if isinstance(node, cst.UnaryOperation) and not isinstance(node.operator, cst.Not):
        return tensor_requires(node.expression, ctx, depth + 1)
    if isinstance(node, cst.Subscript):
        return tensor_requires(node.value, ctx, depth + 1)
    if isinstance(node, cst.Attribute):
        if node.attr.value in _NON_TENSOR_ATTRS:
            return None
        return tensor_requires(node.value, ctx, depth + 1)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        if node.func.attr.value in _NON_TENSOR_METHODS:
            return None
        if ctx.resolve(node.func) is not None:
            return None
        return tensor_requires(node.func.value, ctx, depth + 1)
    return None


def plausible_root(ctx) -> bool:
    """Cheap pre-filter for rules about a traced root's inputs/outputs: methods (only ``forward``
    is a root) pass; a top-level function needs a parameter that could be a Tensor input
    (unannotated without default, or annotated with a Tensor type), which rules out factories
    such as ``def resnet50(pretrained=False, **kwargs)``."""
    fn = ctx.function
    if fn is None or ctx.nested:
        return False
    if fn.class_facts is not None:
        return fn.name == "forward"
    for p in fn.params:
        if p.default is None and p.kind in ("positional", "posonly") and (p.annotation is None or p.type == TENSOR
                                                                           or kind(p.type) in ("list", "tuple")):
            return True
    return False


def head_target(func: cst.BaseExpression, ctx) -> Optional[str]:
    """What the first name of a dotted call target is bound to by an import (``np.random.rand``
    -> ``numpy``), without building the dotted name: a cheap pre-filter before ``ctx.resolve``."""
    node = func
    while isinstance(node, cst.Attribute):
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    binding = ctx.names.bindings.get(node.value)
    if binding is None or binding.kind not in ("import", "type-checking-import"):
        return None
    if ctx.infer is not None and node.value in ctx.infer.locals:
        return None
    return binding.target
